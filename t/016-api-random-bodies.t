#!/usr/bin/perl

# REST API robustness: valid live event bodies with random members
# replaced by values of random types (seeded, reproducible); every answer
# must be a JSON 2xx/4xx, never a 5xx or a crash, and the event left in a
# valid state.  Best run with the sanitizer build.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

$t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
    sluice => <<'EOF2');
sluice_zone sluice 8m;
sluice_data_path data;
sluice_api_key %%API_KEY%%;
sluice_max_live_events 8;
EOF2

$t->run();

my $seed = $ENV{SLUICE_TEST_SEED} // 20261124;
srand($seed);

sub valid {
    return {
        location => 'West US',
        tags => { a => 'b' },
        properties => {
            description => 'x',
            input => {
                streamingProtocol => 'RTMP',
                keyFrameIntervalDuration => 'PT2S',
                accessControl => { ip => { allow => [
                    { name => 'n', address => '10.0.0.0',
                      subnetPrefixLength => 8 } ] } },
            },
            preview => {
                accessControl => { ip => { allow => [
                    { address => '::1' } ] } },
                streamingPolicyName => 'p',
            },
            encoding => { encodingType => 'PassthroughBasic' },
            crossSiteAccessPolicies => { clientAccessPolicy => 'c' },
            streamOptions => [ 'Default' ],
            useStaticHostname => JSON::PP::false,
        },
    };
}

my @values = (
    sub { undef },
    sub { JSON::PP::true },
    sub { int(rand(1e6)) - 5e5 },
    sub { rand() * 1e30 },
    sub { '' },
    sub { 'PT' . int(rand(30)) . 'S' },
    sub { join '', map { chr(32 + int(rand(95))) } 1 .. int(rand(40)) },
    sub { "\x{e9}\x{1F600}\x{0}" },
    sub { [] },
    sub { [ 1, 'a', {} ] },
    sub { {} },
    sub { { ip => { allow => [ { address => '1.2.3.4',
                                subnetPrefixLength => int(rand(40)) } ] } } },
);

# all paths to members of a structure
sub paths {
    my ($v, $prefix) = @_;

    my @p;
    if (ref $v eq 'HASH') {
        for my $k (keys %$v) {
            push @p, [ @$prefix, $k ], paths($v->{$k}, [ @$prefix, $k ]);
        }
    } elsif (ref $v eq 'ARRAY') {
        for my $i (0 .. $#$v) {
            push @p, [ @$prefix, $i ], paths($v->[$i], [ @$prefix, $i ]);
        }
    }
    return @p;
}

sub mutate {
    my ($body) = @_;

    for (1 .. 1 + int(rand(3))) {
        my @p = paths($body, []);
        last unless @p;
        my $path = $p[int(rand(@p))];
        my $node = $body;
        for my $k (@$path[0 .. $#$path - 1]) {
            $node = ref $node eq 'HASH' ? $node->{$k} : $node->[$k];
        }
        my $k = $path->[-1];
        my $v = $values[int(rand(@values))]->();
        if (ref $node eq 'HASH') {
            if (rand() < 0.15) {
                delete $node->{$k};
            } else {
                $node->{$k} = $v;
            }
        } else {
            $node->[$k] = $v;
        }
    }
    return $body;
}

my (%status, @bad);
my $json = JSON::PP->new->utf8->canonical;

for my $i (1 .. 300) {
    my $name = 'ev' . ($i % 6);
    my $body = mutate(valid());
    my $method = $i % 3 == 0 ? 'PATCH' : 'PUT';
    my $r = $t->api($method => "liveEvents/$name", $json->encode($body));

    $status{$r->{status}}++;

    if ($r->{status} >= 500 || !$r->{json}) {
        push @bad, "$method $i: $r->{status} " . $json->encode($body);
    }

    if ($i % 25 == 0) {
        $t->api(POST => "liveEvents/$name/" . (qw(start stop allocate reset))[$i % 4]);
        $t->api(DELETE => 'liveEvents/ev' . ($i % 5)) if $i % 50 == 0;
    }
}

is(join("\n", @bad), '', "no 5xx and always JSON (seed $seed)");
ok($status{201} && $status{400}, 'both accepted and refused bodies')
    or diag(explain(\%status));

# what was accepted is readable and valid
my $r = $t->api(GET => 'liveEvents');
is($r->{status}, 200, 'list after the storm');
for my $e (@{$r->{json}{value} // []}) {
    my $p = $e->{properties};
    ok($p->{input}{streamingProtocol} eq 'RTMP'
       && $p->{input}{accessToken} =~ /^[A-Za-z0-9-]{1,64}$/
       && $p->{input}{keyFrameIntervalDuration} =~ /^PT\d+(\.\d+)?S$/,
       "$e->{name} is valid");
}

# and comes back the same from disk
$t->stop();
$t->run();
is_deeply($t->api(GET => 'liveEvents')->{json}, $r->{json},
    'same after a restart');

$t->done_testing();
