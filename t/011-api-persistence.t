#!/usr/bin/perl

# REST API persistence: live events survive nginx -s reload (zone reused),
# a reload that makes a fresh zone, stop + start, and kill -9 of every
# nginx process; files are replaced atomically; damaged files are skipped;
# every worker sees the same state.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

sub config {
    my ($zone) = @_;

    $t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
        sluice => <<"EOF");
sluice_zone sluice $zone;
sluice_data_path data;
sluice_api_key %%API_KEY%%;
EOF
}

config('8m');
$t->run();

my $dir = $t->testdir() . '/data/api/liveEvents';

my $body = {
    location => 'here',
    tags => { k => 'v' },
    properties => {
        description => 'persisted',
        input => { streamingProtocol => 'RTMP',
                   keyFrameIntervalDuration => 'PT4S',
                   accessControl => { ip => { allow => [
                       { name => 'lo', address => '127.0.0.1' } ] } } },
    },
};

is($t->api(PUT => 'liveEvents/Stopped1', $body)->{status}, 201, 'create');
is($t->api(PUT => 'liveEvents/running1', $body, query => 'autoStart=true')
    ->{status}, 201, 'create running');
is($t->api(PUT => 'liveEvents/standby1', $body)->{status}, 201,
    'create standby');
is($t->api(POST => 'liveEvents/standby1/allocate')->{status}, 202,
    'allocate');
is($t->api(PUT => 'liveEvents/gone1', $body)->{status}, 201, 'create');
is($t->api(DELETE => 'liveEvents/gone1')->{status}, 202, 'delete');
is($t->api(PATCH => 'liveEvents/Stopped1',
    { properties => { description => 'patched' } })->{status}, 200, 'patch');

# what every check below expects

sub snapshot {
    my %s;

    my $r = $t->api(GET => 'liveEvents');
    return undef unless $r->{status} == 200;

    for my $e (@{$r->{json}{value}}) {
        my $p = $e->{properties};
        $s{$e->{name}} = join('|', $p->{resourceState}, $p->{description},
            $p->{input}{accessToken}, $p->{preview}{previewLocator},
            $p->{input}{keyFrameIntervalDuration}, $p->{created},
            $p->{lastModified}, $e->{tags}{k},
            $p->{input}{accessControl}{ip}{allow}[0]{address});
    }

    return \%s;
}

my $before = snapshot();
is_deeply([ sort keys %$before ], [ qw(Stopped1 running1 standby1) ],
    'events before');
like($before->{running1}, qr/^Running\|/, 'running1 Running');
like($before->{standby1}, qr/^StandBy\|/, 'standby1 StandBy');
like($before->{Stopped1}, qr/^Stopped\|patched\|/, 'Stopped1 patched');

# files: one per event, valid JSON, no temporary files left

opendir my $dh, $dir or die "$dir: $!";
my @files = sort grep { !/^\.\.?$/ } readdir $dh;
closedir $dh;
is_deeply(\@files, [ qw(running1.json standby1.json stopped1.json) ],
    'one file per live event');

my $doc = decode_json($t->read_file('data/api/liveEvents/running1.json'));
is($doc->{resource}{name}, 'running1', 'file: resource');
is($doc->{sluice}{resourceState}, 'Running', 'file: state');
like($doc->{sluice}{id}, qr/^[0-9a-f-]{36}$/, 'file: id');

# every worker sees the same thing, change after change

my $same = 1;
for my $i (1 .. 5) {
    $t->api(PATCH => 'liveEvents/Stopped1',
        { properties => { description => "patched" } });
    $t->api(POST => 'liveEvents/running1/' . ($i % 2 ? 'stop' : 'start'));
    my $want = $i % 2 ? 'Stopped' : 'Running';
    for (1 .. 10) {
        my $r = $t->api(GET => 'liveEvents/running1');
        $same = 0 unless $r->{json}{properties}{resourceState} eq $want;
    }
}
ok($same, 'all requests see the latest state (2 workers)');
is($t->api(POST => 'liveEvents/running1/start')->{status}, 202, 'start');

$before = snapshot();

# --- reload: the zone is reused ------------------------------------------

ok($t->reload(), 'reload');
is_deeply(snapshot(), $before, 'same after reload');

# --- reload with another zone size: a fresh zone, loaded from disk --------

config('9m');
ok($t->reload(), 'reload with a new zone size');
ok($t->wait_for(sub {
    my $s = snapshot();
    $s && join(',', sort keys %$s) eq 'Stopped1,running1,standby1' }),
    'events loaded into the new zone');
is_deeply(snapshot(), $before, 'same after a fresh zone');

# --- stop and start -----------------------------------------------------------

$t->stop();
$t->run();
is_deeply(snapshot(), $before, 'same after stop and start');

# --- kill -9 of the master and its workers -----------------------------------

sub kill9 {
    my $master = $t->pid() or return 0;
    my @workers = grep { /^\d+$/ }
        map { (split ' ', $_)[0] } `ps -o pid= --ppid $master`;
    kill 'KILL', $master, @workers;
    $t->wait_for(sub { !kill(0, $master) && !grep { kill(0, $_) } @workers },
        5);
    return 1;
}

ok(kill9(), 'kill -9 nginx');

# a change caught half-way: a temporary file never renamed, and a damaged
# resource file
$t->write_file('data/api/liveEvents/.running1.12345.7.tmp', '{"half');
$t->write_file('data/api/liveEvents/damaged.json', '{"sluice":');
$t->expect_errors(qr/invalid live event file .*damaged\.json/);

$t->run();
is_deeply(snapshot(), $before, 'same after kill -9');
ok(!-e "$dir/.running1.12345.7.tmp", 'stale temporary file removed');

# state changes after the restart are saved too

is($t->api(POST => 'liveEvents/running1/stop')->{status}, 202, 'stop');
is($t->api(DELETE => 'liveEvents/Stopped1')->{status}, 202, 'delete');
ok(kill9(), 'kill -9 again');
$t->run();

my $after = snapshot();
is_deeply([ sort keys %$after ], [ qw(running1 standby1) ],
    'deleted event stays deleted');
like($after->{running1}, qr/^Stopped\|/, 'stopped event stays stopped');

$t->done_testing();
