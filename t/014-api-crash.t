#!/usr/bin/perl

# REST API: a worker dying in the middle of a change to the zone (debug
# builds abort at a test crash point) leaves the zone marked dirty; the
# next change repairs it: the event count is right again, the quota holds,
# and every worker keeps answering.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

my $v = `$t->{nginx} -V 2>&1`;
$t->skip_all('nginx built without --with-debug') unless $v =~ /--with-debug/;

$t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
    sluice => <<'EOF2');
sluice_zone sluice 8m;
sluice_data_path data;
sluice_api_key %%API_KEY%%;
sluice_max_live_events 3;
EOF2

$t->run();

$t->expect_errors(qr/worker process \d+ exited on signal 6/,
    qr/shared memory zone "sluice" was locked by \d+/,
    qr/zone left half-changed by a dead worker, repairing/);

my $body = {
    location => 'here',
    properties => { input => { streamingProtocol => 'RTMP' } },
};

is($t->api(PUT => 'liveEvents/ev0', $body)->{status}, 201, 'create ev0');

# the worker handling this creation dies after linking the event, before
# counting it
$t->write_file('data/.sluice-test-crash', '');
my $r = $t->api(PUT => 'liveEvents/ev1', $body);
isnt($r->{status}, 201, 'the creating worker died');
ok($t->wait_for(sub { $t->error_log() =~ /exited on signal 6/ }, 5),
    'master saw the crash');
ok(!-e $t->testdir() . '/data/.sluice-test-crash', 'crash point used');

# the next change repairs the zone
ok($t->wait_for(sub {
    $t->api(PUT => 'liveEvents/ev2', $body)->{status} == 201 }, 5),
    'a change after the crash');
like($t->error_log(), qr/zone left half-changed by a dead worker, repairing/,
    'zone repaired');

my @names = sort map { $_->{name} }
    @{$t->api(GET => 'liveEvents')->{json}{value} // []};
is_deeply(\@names, [ qw(ev0 ev1 ev2) ],
    'the half-created event is listed once');

# the count was rebuilt: 3 events is the limit
$r = $t->api(PUT => 'liveEvents/ev3', $body);
is($r->{status}, 409, 'quota counts the repaired events');
is($r->{json}{error}{code}, 'QuotaExceeded', 'QuotaExceeded');

# the half-created event can be completed by a new PUT (saved to disk)
is($t->api(PUT => 'liveEvents/ev1', $body)->{status}, 200,
    'PUT completes the half-created event');
ok(-e $t->testdir() . '/data/api/liveEvents/ev1.json', 'and saves it');
is($t->api(DELETE => 'liveEvents/ev1')->{status}, 202, 'delete it');
is($t->api(PUT => 'liveEvents/ev3', $body)->{status}, 201,
    'room again after a delete');

my %seen;
$seen{$t->api(GET => 'liveEvents/ev3')->{status}}++ for 1 .. 10;
is_deeply(\%seen, { 200 => 10 }, 'every worker answers');

$t->done_testing();
