#!/usr/bin/perl

# The allow-lists a live event carries reach the readers of the zone: the
# packager answers 403 to a client its preview accessControl does not
# allow (ngx_sluice_ip_allowed), and follows PATCHes of the list.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

$t->write_sluice_conf(threads => 0, ingest => 0,
    sluice => <<'EOF2');
sluice_zone sluice 8m;
sluice_data_path data;
sluice_api_key %%API_KEY%%;
EOF2

$t->run();

sub preview_acl {
    my (@allow) = @_;

    return { properties => { preview => { accessControl =>
        { ip => { allow => [ @allow ] } } } } };
}

my $r = $t->api(PUT => 'liveEvents/acl1', {
    location => 'here',
    properties => { input => { streamingProtocol => 'RTMP' },
        preview => { accessControl => { ip => { allow => [
            { name => 'ten', address => '10.0.0.0', subnetPrefixLength => 8 }
        ] } } } },
}, query => 'autoStart=true');
is($r->{status}, 201, 'create with a preview allow-list');

my $manifest = '/' . $r->{json}{properties}{preview}{previewLocator}
    . '/preview.ism/manifest';

my @cases = (
    [ '10.0.0.0/8 only', [ { address => '10.0.0.0', subnetPrefixLength => 8 } ], 403 ],
    [ '127.0.0.1 exactly', [ { address => '127.0.0.1' } ], 404 ],
    [ '127.0.0.0/8', [ { address => '127.0.0.0', subnetPrefixLength => 8 } ], 404 ],
    [ '127.0.0.2 exactly', [ { address => '127.0.0.2' } ], 403 ],
    [ 'IPv6 only', [ { address => '::1' } ], 403 ],
    [ 'all IPv4', [ { address => '0.0.0.0', subnetPrefixLength => 0 } ], 404 ],
    [ 'empty list: nobody', [], 403 ],
);

for my $c (@cases) {
    my ($what, $allow, $want) = @$c;

    if ($c != $cases[0]) {
        is($t->api(PATCH => 'liveEvents/acl1', preview_acl(@$allow))->{status},
            200, "patch: $what");
    }

    # 404: allowed, but no media ingested yet
    is($t->get($manifest)->{status}, $want, "$what: $want");
}

is($t->api(PATCH => 'liveEvents/acl1',
    { properties => { preview => { accessControl => undef } } })->{status},
    200, 'patch: no accessControl');
is($t->get($manifest)->{status}, 404, 'no accessControl: everyone');

$t->done_testing();
