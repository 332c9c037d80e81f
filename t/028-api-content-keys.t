#!/usr/bin/perl

# Content keys through the Azure Media Services SDK (@azure/arm-mediaservices
# 13.1.0, t/sdk/content-keys.js) over HTTPS: a content key policy with a
# JWT token restriction, a locator of Predefined_ClearKey and one of a
# custom CENC + CBCS policy with a keyToTrackMapping, their
# listContentKeys and listPaths as AMS answers them; after a restart the
# same keys come back (persisted), GET and list show no value, and no key
# value is ever in error.log.
#
# Needs node and the npm packages of t/sdk: `npm ci --prefix t/sdk`.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new()->has_program('node');

my $sdk = "$FindBin::Bin/sdk";
$t->skip_all('t/sdk/node_modules missing: run npm ci --prefix t/sdk')
    unless -d "$sdk/node_modules/\@azure/arm-mediaservices";

# the SDK talks HTTPS only
$t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
    port => 8443, listen => ' ssl', server => <<'EOF2', sluice => <<'EOF3');
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;
EOF2
sluice_zone sluice 8m;
sluice_data_path data;
sluice_account sdkaccount;
sluice_api_key %%API_KEY%%;
sluice_transition_time 0;
EOF3

$t->run();

sub sdk {
    my (@args) = @_;
    my $out = '';
    my ($cert) = $t->make_cert();

    local $ENV{NODE_EXTRA_CA_CERTS} = $cert;
    IPC::Run::run(['node', "$sdk/content-keys.js", $args[0],
        'https://127.0.0.1:' . $t->port(8443), $t->api_key(), 'sdkaccount',
        @args[1 .. $#args]],
        '<', \undef, '>&', \$out, IPC::Run::timeout(120));
    return ($? >> 8, $out);
}

my ($rc, $out) = sdk('create');
is($rc, 0, 'SDK: policies, locators, keys, paths') or diag($out);
like($out, qr/^ok listPaths: AMS's envelope paths$/m, 'envelope paths');
like($out, qr/^ok listPaths: AMS's CENC and CBCS paths$/m, 'CENC, CBCS paths');
like($out, qr/^ok the mapping's key has its tracks$/m, 'keyToTrackMapping');

my ($line) = $out =~ /^keys (.*)$/m;
my $keys = decode_json($line // '{}');
my @values = map { $_->{value} } map { @$_ } values %$keys;
is(scalar @values, 4, 'four key values printed');

my $file = $t->write_file('keys.json', "keys $line\n");

$t->stop();
$t->run();

($rc, $out) = sdk('verify', $file);
is($rc, 0, 'SDK after a restart: the same keys, no value in GET or list')
    or diag($out);
like($out, qr/^done$/m, 'all SDK checks passed');

my $log = $t->error_log();
is(scalar(grep { index($log, $_) >= 0 } @values), 0,
    'no key value in error.log');

$t->done_testing();
