#!/usr/bin/perl

# REST API: the Azure Media Services SDK (@azure/arm-mediaservices
# 13.1.0, as AMS users run it) against Sluice over HTTPS, with immediate
# and with timed transitions (the SDK then polls Azure-AsyncOperation).
#
# Needs node and the npm packages of t/sdk: `npm ci --prefix t/sdk`.

use strict;
use warnings;

use Test::More;
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new()->has_program('node');

my $sdk = "$FindBin::Bin/sdk";
$t->skip_all('t/sdk/node_modules missing: run npm ci --prefix t/sdk')
    unless -d "$sdk/node_modules/\@azure/arm-mediaservices";

# the SDK talks HTTPS only
sub config {
    my ($time) = @_;

    $t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
        port => 8443, listen => ' ssl', server => <<'EOF2', sluice => <<"EOF3");
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;
EOF2
sluice_zone sluice 8m;
sluice_data_path data;
sluice_account sdkaccount;
sluice_api_key %%API_KEY%%;
sluice_transition_time $time;
EOF3
}

sub sdk_run {
    my $out = '';
    my ($cert) = $t->make_cert();

    local $ENV{NODE_EXTRA_CA_CERTS} = $cert;
    IPC::Run::run(['node', "$sdk/live-events.js",
        'https://127.0.0.1:' . $t->port(8443), $t->api_key(), 'sdkaccount'],
        '<', \undef, '>&', \$out, IPC::Run::timeout(120));
    return ($? >> 8, $out);
}

for my $time ('0', '1s') {
    config($time);

    if ($time eq '0') {
        $t->run();

    } else {
        $t->stop();
        system('rm', '-rf', $t->testdir() . '/data');
        $t->run();
    }

    my ($rc, $out) = sdk_run();
    is($rc, 0, "SDK run, transition time $time") or diag($out);
    like($out, qr/^ok list follows nextLink \(12\)$/m, "list paged ($time)");
    like($out, qr/^done$/m, "all SDK checks passed ($time)");
}

$t->done_testing();
