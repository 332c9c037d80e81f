#!/usr/bin/perl

# Recording across kill -9 of nginx (master and workers) mid-stream: at
# most the fragment in progress is missing from the asset, the index holds
# whole records; after the restart the event is Running again, the
# encoder reconnects and recording continues into the same asset and
# slots, the timeline going on after what was recorded (discontinuity);
# the whole asset decodes.  Then kill -9 of the workers alone: a new
# worker takes the reconnect and recording goes on.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use Time::HiRes qw(sleep);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::ApiRes;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Record::config($t, ring => 512);
$t->run();

my $dir = $t->testdir;

my $url = Sluice::Record::event($t, 'crash', 'c' x 32);
ok($url, 'live event running') or BAIL_OUT('no live event');

my $id = Sluice::Record::asset($t, 'dvr');
ok(Sluice::Record::output($t, 'crash', 'o', 'dvr', 'PT10M'), 'output');

my $adir = "$dir/data/assets/$id";

my $av = Sluice::Ingest::fixture('av', duration => 10, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');

my $pub = $t->publish(input => $av, loop => 1, url => "$url/s");

ok($t->wait_for(sub { nvideo() >= 5 }, 40), 'recording');
sleep 0.7;

ok(Sluice::ApiRes::kill9($t), 'kill -9 of nginx mid-stream');
$t->stop_publisher($pub);

my @s = Sluice::Record::slots($adir);
is(scalar @s, 2, 'two slots');
is((-s "$_->{dir}/index") % 32, 0, "slot $_->{slot}: whole records")
    for @s;

# every complete live fragment but the newest is in the asset

for my $sl (@s) {
    my ($live) = glob("$dir/data/live/*/1/$sl->{slot}");
    my %rec = map { $_->{time} => 1 } @{$sl->{records}};
    my @files = sort { $a <=> $b } map { m{/(\d+)\.m4s$} ? $1 : () }
        glob("$live/*.m4s");
    my @missing = grep { !$rec{$_} } @files;
    ok(@files >= 5 && @missing <= 1,
        "$sl->{type}: at most the newest fragment missing")
        or diag(explain({ files => \@files, missing => \@missing }));
}

my %before = map { $_->{slot} => scalar @{$_->{records}} } @s;
my %end = map { $_->{slot} => $_->{records}[-1]{time} } @s;

###############################################################################
# restart, reconnect: the same asset goes on

$t->run();

ok($t->wait_for(sub { $t->live_event_state('crash') eq 'Running' }, 10),
    'event Running after the restart');
like($t->read_file('error.log'),
    qr/live output "o" of live event "crash" recorded up to \d+ ms/,
    'recorded end found at start');

$pub = $t->publish(input => $av, loop => 1, url => "$url/s");

ok($t->wait_for(sub { nvideo() >= $before{video_slot()} + 4 }, 40),
    'recording continues');

ok(Sluice::ApiRes::kill9($t) || 1, 'kill -9 again');
$t->stop_publisher($pub);
$t->run();

my @s2 = Sluice::Record::slots($adir);
is(scalar @s2, 2, 'still two slots');

for my $sl (@s2) {
    my $r = $sl->{records};
    my $n = $before{$sl->{slot}} // 0;

    ok(increasing($r), "$sl->{type}: times and seqs keep increasing");
    ok(@$r > $n && $r->[$n]{time} > $end{$sl->{slot}},
        "$sl->{type}: recorded after the restart, later on the timeline");
    ok(@$r > $n && ($r->[$n]{flags} & 1), "$sl->{type}: discontinuity");
    is(scalar(grep { !-e "$sl->{dir}/$_->{time}.m4s" } @$r), 0,
        "$sl->{type}: every record has its file");

    my $p = decode($sl, $r);
    ok($p->{ok}, "$sl->{type}: the whole asset decodes") or diag($p->{err});
}

###############################################################################
# kill -9 of the workers alone: the zone stays, a new worker takes the
# reconnect

ok($t->wait_for(sub { $t->live_event_state('crash') eq 'Running' }, 10),
    'event Running after the second restart');

$pub = $t->publish(input => $av, loop => 1, url => "$url/s");
my $n0 = nvideo();
ok($t->wait_for(sub { nvideo() >= $n0 + 3 }, 40), 'recording again');

my @pids = grep { /^\d+$/ } map { (split ' ', $_)[0] }
    `ps -o pid= --ppid ${\ $t->pid()}`;
my $from = $t->log_offset();
kill 'KILL', @pids;
$t->stop_publisher($pub);
$t->expect_errors(qr/worker process \d+ exited on signal 9/);

# the master starts new workers
ok($t->wait_log(qr/start worker process \d+/, from => $from,
    count => scalar @pids), 'workers started again');
my $n1 = nvideo();
$pub = $t->publish(input => $av, loop => 1, url => "$url/s");
ok($t->wait_for(sub { nvideo() >= $n1 + 3 }, 40),
    'recording continues after the workers were killed');
$from = $t->log_offset();
$t->stop_publisher($pub);
ok($t->wait_log(qr/"s" stops publishing to live event "crash"/,
    from => $from), 'the publisher left');

my ($v) = grep { $_->{type} eq 'video' } Sluice::Record::slots($adir);
ok(increasing($v->{records}), 'video: still increasing');
ok(decode($v, $v->{records})->{ok}, 'video: the whole asset decodes');

$t->stop();

done_testing();

###############################################################################

sub video_slot {
    my ($v) = grep { $_->{type} eq 'video' } Sluice::Record::slots($adir);
    return $v ? $v->{slot} : -1;
}

sub nvideo {
    my ($v) = grep { $_->{type} eq 'video' } Sluice::Record::slots($adir);
    return $v ? scalar @{$v->{records}} : 0;
}

sub increasing {
    my ($r) = @_;

    for my $i (1 .. $#$r) {
        return 0 if $r->[$i]{time} <= $r->[$i - 1]{time}
            || $r->[$i]{seq} <= $r->[$i - 1]{seq};
    }

    return 1;
}

sub decode {
    my ($s, $recs) = @_;

    my $file = "$dir/decode.mp4";
    open my $out, '>:raw', $file or die "$file: $!";

    my $init = -1;

    for my $rec (@$recs) {
        if ($rec->{init} != $init) {
            $init = $rec->{init};
            print $out $t->read_file("$s->{dir}/init$init.mp4") // '';
        }
        print $out $t->read_file("$s->{dir}/$rec->{time}.m4s") // '';
    }

    close $out;

    my ($o, $e) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-count_frames',
        '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', $file ],
        '<', \undef, '>', \$o, '2>', \$e, IPC::Run::timeout(60));

    my ($frames) = $o =~ /(\d+)/;
    return { ok => ($e eq '' && $frames), frames => $frames // 0,
             err => $e };
}
