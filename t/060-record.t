#!/usr/bin/perl

# Recording (live outputs -> assets, cloud DVR): two outputs with different
# archive windows record one stream pushed faster than real time; each
# asset gets a descriptor per track, hard links of the live files (same
# inode, kept after the live ring evicted them), an index whose records
# match the files and decode; the PT1M archive window trims old files
# (records stay); an output created mid-stream records from the next
# fragment; recording write failures are logged once per burst and
# recording resumes; deleting an output, or stopping the event with
# removeOutputsOnStop, stops recording and keeps the asset.

use strict;
use warnings;

use Test::More;
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Record::config($t, ring => 8);
$t->expect_errors(qr/sluice: recording: open\(\) "[^"]+" failed/);
$t->run();

my $dir = $t->testdir;

###############################################################################
# two outputs, PT1M and PT5M, one stream of 150 s pushed at once

my $url = Sluice::Record::event($t, 'rec1', 'a' x 32);
ok($url, 'live event rec1 running') or BAIL_OUT('no live event');

my $id1 = Sluice::Record::asset($t, 'short');
my $id2 = Sluice::Record::asset($t, 'long');
ok($id1 && $id2, 'assets');

ok(Sluice::Record::output($t, 'rec1', 'o1', 'short', 'PT1M'), 'output o1');
ok(Sluice::Record::output($t, 'rec1', 'o2', 'long', 'PT5M'), 'output o2');

my $av = Sluice::Ingest::fixture('av', duration => 150, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');

my $pub = $t->publish(input => $av, realtime => 0, url => "$url/s");
$t->wait_publisher_exit($pub, 120);
settle("$dir/data/assets/$id2");

my @s1 = Sluice::Record::slots("$dir/data/assets/$id1");
my @s2 = Sluice::Record::slots("$dir/data/assets/$id2");

is(scalar @s2, 2, 'long: two slots');
is(scalar @s1, 2, 'short: two slots');
is_deeply([ sort map { $_->{type} } @s2 ], [ 'audio', 'video' ],
    'long: audio and video');
is($_->{stream}, 's', "slot $_->{slot}: stream name") for @s2;
is($_->{archive_ms}, 300000, "long slot $_->{slot}: archive window") for @s2;
is($_->{archive_ms}, 60000, "short slot $_->{slot}: archive window") for @s1;

my ($v2) = grep { $_->{type} eq 'video' } @s2;
my ($a2) = grep { $_->{type} eq 'audio' } @s2;
my ($v1) = grep { $_->{type} eq 'video' } @s1;
$v2 //= { records => [] };
$a2 //= { records => [] };
$v1 //= { records => [] };

my @vr = @{$v2->{records}};
ok(@vr >= 70, 'long video: about 75 records') or diag(scalar @vr);
ok(increasing(\@vr), 'records in time order, seq increasing');
is(scalar(grep { $_->{duration} != 180000 } @vr[0 .. $#vr - 1]), 0,
    'fragments of 2 s');

# every record has its file, of its size
my @bad = grep { (-s "$v2->{dir}/$_->{time}.m4s" // -1) != $_->{size} } @vr;
is(scalar @bad, 0, 'long: every record has its file of its size')
    or diag(explain([ @bad[0 .. ($#bad > 3 ? 3 : $#bad)] ]));

# links: the newest fragments are still live (ring of 8): same inode
my ($live) = glob("$dir/data/live/*/*/$v2->{slot}");
my @livefiles = $live ? glob("$live/*.m4s") : ();
is(scalar @livefiles, 8, 'live ring keeps 8 fragments');

my $same = grep {
    my ($n) = m{/(\d+)\.m4s$};
    (stat $_)[1] == ((stat "$v2->{dir}/$n.m4s")[1] // -1)
        && (stat "$v1->{dir}/$n.m4s")[1] == (stat $_)[1];
} @livefiles;
is($same, 8, 'asset files are hard links of the live files');
is((stat "$v2->{dir}/$vr[0]{time}.m4s")[3], 1,
    'first fragment: only the asset link remains');

# decode: init + every fragment
my $p = decode($v2, $v2->{records});
ok($p->{ok}, 'long video decodes') or diag($p->{err});
cmp_ok($p->{frames}, '>=', 148 * 30, 'long video: all frames');
ok(decode($a2, $a2->{records})->{ok}, 'long audio decodes');

###############################################################################
# archive window PT1M: older files unlinked, records kept

my @r1 = @{$v1->{records}};
is(scalar @r1, scalar @vr, 'short: as many records as long');

my $end = $r1[-1]{time} + $r1[-1]{duration};
my @old = grep { $_->{time} + $_->{duration} < $end - 62 * 90000 } @r1;
my @recent = grep { $_->{time} + $_->{duration} > $end - 60 * 90000 } @r1;

ok(@old >= 40, 'short: many records before the window');
is(scalar(grep { -e "$v1->{dir}/$_->{time}.m4s" } @old), 0,
    'short: files before the window trimmed');
is(scalar(grep { -e "$v1->{dir}/$_->{time}.m4s" } @recent), scalar @recent,
    'short: files of the window kept');
ok(decode($v1, \@recent)->{ok}, 'short: window decodes');

my @left = glob("$v1->{dir}/*.m4s");
ok(@left <= 33, 'short: about 31 files left') or diag(scalar @left);

# a reconnect (a new writer: the trim cursor is found again) moves the
# window on: 30 s more, the files before the new window go too

my $av30 = Sluice::Ingest::fixture('av', duration => 30, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');
$t->wait_publisher_exit($t->publish(input => $av30, realtime => 0,
    url => "$url/s"), 60);
settle("$dir/data/assets/$id1");

($v1) = grep { $_->{type} eq 'video' }
    Sluice::Record::slots("$dir/data/assets/$id1");
@r1 = @{$v1->{records}};
ok(@r1 >= @vr + 14, 'short: recording went on after the reconnect');
$end = $r1[-1]{time} + $r1[-1]{duration};
@old = grep { $_->{time} + $_->{duration} < $end - 62 * 90000 } @r1;
@recent = grep { $_->{time} + $_->{duration} > $end - 60 * 90000 } @r1;
is(scalar(grep { -e "$v1->{dir}/$_->{time}.m4s" } @old), 0,
    'short: trimmed after the reconnect');
is(scalar(grep { -e "$v1->{dir}/$_->{time}.m4s" } @recent), scalar @recent,
    'short: window kept after the reconnect');
ok(decode($v1, \@recent)->{ok}, 'short: window decodes across the reconnect');

###############################################################################
# an output created mid-stream records from the next fragment on; deleting
# it stops recording and keeps the asset

my $url2 = Sluice::Record::event($t, 'rec2', 'b' x 32);
ok($url2, 'live event rec2 running');

my $av10 = Sluice::Ingest::fixture('av', duration => 10, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');
my %seen = map { $_ => 1 } glob("$dir/data/live/*");
my $p2 = $t->publish(input => $av10, loop => 1, url => "$url2/s");

my $evdir2;
my $live_times = sub {
    ($evdir2) = grep { !$seen{$_} } glob("$dir/data/live/*") unless $evdir2;
    return () unless $evdir2;
    return sort { $a <=> $b } map { m{/(\d+)\.m4s$} ? $1 : () }
        glob("$evdir2/*/0/*.m4s");
};

ok($t->wait_for(sub { my @l = $live_times->(); @l >= 3 }, 30),
    'rec2 fragments');

my $id3 = Sluice::Record::asset($t, 'mid');
my @l3 = $live_times->();
ok(Sluice::Record::output($t, 'rec2', 'o3', 'mid', 'PT10M'), 'output o3');

my $a3 = "$dir/data/assets/$id3";

ok($t->wait_for(sub {
    my ($v) = grep { $_->{type} eq 'video' } Sluice::Record::slots($a3);
    return $v && @{$v->{records}} >= 3;
}, 30), 'o3 records');

my ($v3) = grep { $_->{type} eq 'video' } Sluice::Record::slots($a3);
ok($v3 && @l3 && $v3->{records}[0]{time} > $l3[-1],
    'o3: recording began after the output was created')
    or diag(explain([ $v3 && $v3->{records}[0], \@l3 ]));

ok(Sluice::Record::delete_output($t, 'rec2', 'o3'), 'o3 deleted');
# o3 may still record fragments appended before its deletion: their
# records are written before the track's next fragment (one writer per
# track, in order), so once the video track has a fragment newer than
# the ones there now, o3 has all it will ever have
my @l3d = $live_times->();
ok($t->wait_for(sub { my @l = $live_times->(); @l && @l3d && $l[-1] > $l3d[-1] },
    timeout => 15, what => 'a rec2 fragment after the deletion'),
    'rec2: a fragment after the deletion of o3');
my $n3 = scalar @{(grep { $_->{type} eq 'video' }
    Sluice::Record::slots($a3))[0]{records}};
# the event goes on by two fragments, which o3 would have recorded
ok($t->wait_live_fragments($t->live_marks(), 2), 'rec2 goes on');
my ($v3b) = grep { $_->{type} eq 'video' } Sluice::Record::slots($a3);
is(scalar @{$v3b->{records}}, $n3, 'o3 deleted: no more records');
ok(decode($v3b, $v3b->{records})->{ok}, 'o3: asset kept, decodes');
is($t->api(GET => 'assets/mid')->{status}, 200, 'asset mid kept');

# a new asset, recorded once more on the same event; the event is stopped
# with removeOutputsOnStop

my $id4 = Sluice::Record::asset($t, 'stop');
ok(Sluice::Record::output($t, 'rec2', 'o4', 'stop', 'PT10M'), 'output o4');
my $a4 = "$dir/data/assets/$id4";

ok($t->wait_for(sub {
    my ($v) = grep { $_->{type} eq 'video' } Sluice::Record::slots($a4);
    return $v && @{$v->{records}} >= 2;
}, 30), 'o4 records');

# recording writes fail for a while (the index is replaced by a
# directory): one log line, the live event goes on, recording resumes

my ($v4a) = grep { $_->{type} eq 'video' } Sluice::Record::slots($a4);
my $idx = "$v4a->{dir}/index";
my $log0 = length($t->read_file('error.log') // '');
my $n4 = scalar @{$v4a->{records}};

rename($idx, "$idx.away") or die "$idx: $!";
mkdir($idx) or die "$idx: $!";

ok($t->wait_for(sub {
    substr($t->read_file('error.log') // '', $log0)
        =~ /sluice: recording: open\(\) "\Q$idx\E" failed/;
}, 15), 'recording failure logged');
# two more fragments fail to be recorded
ok($t->wait_live_fragments($t->live_marks(), 2), 'rec2 goes on');

my $log = substr($t->read_file('error.log') // '', $log0);
my @fails = $log =~ /(sluice: recording: open\(\) "\Q$idx\E" failed)/g;
is(scalar @fails, 1, 'recording failures: one line per burst');
my $what = qq{of track $v4a->{slot} of live event "rec2" not recorded in 1};
like($log, qr/fragment \d+ \Q$what\E asset/,
    'the line says what was not recorded');

rmdir($idx);
rename("$idx.away", $idx);

ok($t->wait_for(sub {
    my ($v) = grep { $_->{type} eq 'video' } Sluice::Record::slots($a4);
    return @{$v->{records}} >= $n4 + 2;
}, 30), 'recording resumes');
like(substr($t->read_file('error.log') // '', $log0),
    qr/sluice: recording of track $v4a->{slot} of live event "rec2" resumed/,
    'resume logged');

my $r = $t->api(POST => 'liveEvents/rec2/stop',
    { removeOutputsOnStop => JSON::PP::true() });
ok($r->{status} =~ /^20[02]$/, 'rec2 stop with removeOutputsOnStop')
    or diag("$r->{status} $r->{body}");
ok($t->wait_for(sub { $t->live_event_state('rec2') eq 'Stopped' }, 20),
    'rec2 stopped');
$t->stop_publisher($p2);

my ($v4) = grep { $_->{type} eq 'video' } Sluice::Record::slots($a4);
ok($v4 && @{$v4->{records}} >= 2, 'o4: asset keeps its records');
ok($v4 && decode($v4, $v4->{records})->{ok}, 'o4: asset decodes');
is($t->api(GET => 'liveEvents/rec2/liveOutputs/o4')->{status}, 404,
    'o4 removed');

$t->stop();

done_testing();

###############################################################################

# wait until the records stop growing
sub settle {
    my ($adir) = @_;
    my $last = -1;

    $t->wait_for(sub {
        my $n = 0;
        $n += @{$_->{records}} for Sluice::Record::slots($adir);
        my $done = $n == $last;
        $last = $n;
        return $done;
    }, 60, 1);
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
