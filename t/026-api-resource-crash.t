#!/usr/bin/perl

# REST API: a worker dying in the middle of creating a resource (debug
# builds: the test crash point between linking and counting a record):
# the next writer repairs the zone, the half-made record is dropped, the
# lists and counts stay consistent and the name can be created again.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::ApiRes;

my $t = Test::Sluice->new();

$t->skip_all('nginx was not built --with-debug')
    unless `$t->{nginx} -V 2>&1` =~ /--with-debug/;

Sluice::ApiRes::config($t);
$t->run();

$t->expect_errors(qr/worker process \d+ exited on signal 6/,
    qr/shared memory zone "sluice" was locked by \d+/,
    qr/zone left half-changed by a dead worker, repairing/);

is($t->api(PUT => 'assets/a0', {})->{status}, 201, 'create a0');

# on a connection of its own: HTTP::Tiny would retry a PUT that failed on a
# reused keep-alive connection, on the other worker

sub put_raw {
    my ($path, $body) = @_;
    my $url = $t->api_path($path) . '?api-version=2022-08-01';
    return $t->http_raw("PUT $url HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        . "Authorization: Bearer " . $t->api_key() . "\r\n"
        . "Content-Type: application/json\r\nConnection: close\r\n"
        . "Content-Length: " . length($body) . "\r\n\r\n$body", timeout => 5)
        // '';
}

$t->write_file('data/.sluice-test-crash', '');
my $raw = put_raw('assets/a1', '{"properties":{"description":"x"}}');
unlike($raw, qr{^HTTP/1\.1 201}, 'the creating worker died');
ok($t->wait_for(sub { $t->error_log() =~ /exited on signal 6/ }, 5),
    'master saw the crash');

ok($t->wait_for(sub {
    $t->api(PUT => 'assets/a2', {})->{status} == 201 }, 5),
    'a change after the crash');
like($t->error_log(), qr/zone left half-changed by a dead worker, repairing/,
    'zone repaired');

my @names = sort map { $_->{name} }
    @{$t->api(GET => 'assets')->{json}{value} // []};
is_deeply(\@names, [ qw(a0 a2) ], 'the half-made asset is dropped');
is($t->api(GET => 'assets/a1')->{status}, 404, 'a1 not found');
ok(!-e $t->testdir() . '/data/api/assets/a1.json', 'and never saved');

is($t->api(PUT => 'assets/a1', {})->{status}, 201, 'a1 can be created');

my %seen;
$seen{$t->api(GET => 'assets/a1')->{status}}++ for 1 .. 10;
is_deeply(\%seen, { 200 => 10 }, 'every worker answers');

# the same for a locator and a streaming endpoint

$t->write_file('data/.sluice-test-crash', '');
put_raw('streamingLocators/l1', '{"properties":{"assetName":"a1",'
    . '"streamingPolicyName":"Predefined_ClearStreamingOnly"}}');
ok($t->wait_for(sub {
    $t->api(PUT => 'streamingEndpoints/se1',
        { location => 'x', properties => { scaleUnits => 0 } })->{status}
    == 201 }, 5), 'an endpoint created after a crashed locator creation');
is($t->api(GET => 'streamingLocators/l1')->{status}, 404,
    'the half-made locator is dropped');
is_deeply([ sort map { $_->{name} }
    @{$t->api(GET => 'streamingEndpoints')->{json}{value}} ],
    [ 'default', 'se1' ], 'endpoints consistent');

$t->done_testing();
