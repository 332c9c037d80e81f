#!/usr/bin/perl

# REST API: long-running operations that take time (sluice_transition_time):
# intermediate states, InProgress polling on both operation URLs, 409 for
# a second operation, completion seen by every worker.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

$t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
    sluice => <<'EOF2');
sluice_zone sluice 8m;
sluice_data_path data;
sluice_api_key %%API_KEY%%;
sluice_transition_time 1500ms;
EOF2

$t->run();

sub rel {
    my ($url) = @_;

    my ($path, $q) = ($url // '') =~ m{^https?://[^/]+(/[^?]*)\?(.*)$};
    return ($path // '/none', undef, query => $q);
}

sub state_of {
    my ($name) = @_;

    my $r = $t->api(GET => "liveEvents/$name");
    return $r->{status} == 200 ? $r->{json}{properties}{resourceState}
                               : "HTTP $r->{status}";
}

sub code {
    my ($r) = @_;

    return $r->{json} && $r->{json}{error} ? $r->{json}{error}{code} : '';
}

my $body = {
    location => 'here',
    properties => { input => { streamingProtocol => 'RTMP' } },
};

# --- create with autoStart: Starting, then Running ----------------------

my $t0 = time();
my $r = $t->api(PUT => 'liveEvents/ev1', $body, query => 'autoStart=true');
is($r->{status}, 201, 'create: 201');
is($r->{json}{properties}{resourceState}, 'Starting', 'create: Starting');
is($r->{json}{properties}{provisioningState}, 'InProgress',
    'create: provisioning InProgress');
is($r->{headers}{'retry-after'}, '1', 'create: Retry-After 1');

my $aop = $r->{headers}{'azure-asyncoperation'};
my $loc = $r->{headers}{'location'};

$r = $t->api(GET => rel($aop));
is($r->{status}, 200, 'async operation while running: 200');
is($r->{json}{status}, 'InProgress', 'async operation: InProgress');

$r = $t->api(GET => rel($loc));
is($r->{status}, 202, 'operation location while running: 202');

$r = $t->api(POST => 'liveEvents/ev1/stop');
is($r->{status}, 409, 'second operation: 409');
is(code($r), 'Conflict', 'second operation: Conflict');
is($t->api(PATCH => 'liveEvents/ev1', { tags => { a => 'b' } })->{status},
    409, 'patch during an operation: 409');
is($t->api(PUT => 'liveEvents/ev1', $body)->{status}, 409,
    'put during an operation: 409');
is($t->api(DELETE => 'liveEvents/ev1')->{status}, 409,
    'delete during an operation: 409');

is(state_of('ev1'), 'Starting', 'Starting while in progress') if time() - $t0 < 1.2;

ok($t->wait_for(sub {
    $t->api(GET => rel($aop))->{json}{status} eq 'Succeeded' }, 5),
    'operation completes');
cmp_ok(time() - $t0, '>=', 1.4, 'after the transition time');

$r = $t->api(GET => rel($loc));
is($r->{status}, 200, 'operation location when done: 200');
is($r->{json}{properties}{resourceState}, 'Running',
    'operation location: Running');
is($r->{json}{properties}{provisioningState}, 'Succeeded',
    'provisioning Succeeded');

my %seen;
$seen{state_of('ev1')}++ for 1 .. 20;
is_deeply(\%seen, { Running => 20 }, 'all workers see Running');

# --- stop: Stopping, then Stopped ------------------------------------------

$r = $t->api(POST => 'liveEvents/ev1/stop', { removeOutputsOnStop => JSON::PP::true });
is($r->{status}, 202, 'stop: 202');
is(state_of('ev1'), 'Stopping', 'Stopping');
is($t->api(POST => 'liveEvents/ev1/allocate')->{status}, 409,
    'allocate while Stopping: 409');
ok($t->wait_for(sub { state_of('ev1') eq 'Stopped' }, 5), 'Stopped');

# --- allocate: Allocating, then StandBy --------------------------------------

$r = $t->api(POST => 'liveEvents/ev1/allocate');
is($r->{status}, 202, 'allocate: 202');
is(state_of('ev1'), 'Allocating', 'Allocating');
ok($t->wait_for(sub { state_of('ev1') eq 'StandBy' }, 5), 'StandBy');

$r = $t->api(POST => 'liveEvents/ev1/stop');
ok($t->wait_for(sub { state_of('ev1') eq 'Stopped' }, 5), 'Stopped again');

# --- delete: Deleting, then gone ------------------------------------------------

$r = $t->api(DELETE => 'liveEvents/ev1');
is($r->{status}, 202, 'delete: 202');
$aop = $r->{headers}{'azure-asyncoperation'};
$loc = $r->{headers}{'location'};
is(state_of('ev1'), 'Deleting', 'Deleting');
is($t->api(GET => rel($loc))->{status}, 202, 'delete in progress: 202');
is($t->api(PUT => 'liveEvents/ev1', $body)->{status}, 409,
    'create while Deleting: 409');
# poll the operation first (as the Azure SDK does): its completion is
# noticed through the operation itself
my $st;
ok($t->wait_for(sub {
    $st = $t->api(GET => rel($aop))->{json}{status}; $st ne 'InProgress' }, 5),
    'delete operation completes');
is($st, 'Succeeded', 'delete operation Succeeded');
is(state_of('ev1'), 'HTTP 404', 'deleted');
is($t->api(GET => rel($loc))->{status}, 204, 'delete operation location: 204');
ok(!-e $t->testdir() . '/data/api/liveEvents/ev1.json', 'file removed');

is($t->api(PUT => 'liveEvents/ev1', $body)->{status}, 201,
    'the name can be used again');

$t->done_testing();
