#!/usr/bin/perl

# Durability, crash consistency (docs/architecture.md, "Durability"):
# while assets are created, updated and deleted through the API and a
# live output records a stream, the data directory is copied (cp -a) at
# random instants: a copy is what a power cut leaves, minus what was not
# synced.  A fresh nginx on each copy starts, lists every asset whose
# creation was acknowledged before the copy began (and not deleted
# before it ended), and the recorded archive plays through its streaming
# locator up to its last listed fragment.

use strict;
use warnings;

use Test::More;
use Time::HiRes ();
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'cp');

my $dir = $t->testdir;
my $http = "sluice_transition_time 0s;\n";

$t->write_sluice_conf(http => $http, server => "server_name localhost;\n",
    location => "aio threads=sluice;\n");
$t->run();

ok(Sluice::Playback::start_endpoint($t, 'default'), 'endpoint running');
my $url = Sluice::Record::event($t, 'ev1', 'd' x 32);
ok($url, 'live event running') or BAIL_OUT('no live event');
my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
    manifestName => 'show');
ok($paths->{Hls} && @{$paths->{Hls}}, 'archive a1 has a locator');
my $aid = $t->api(GET => 'assets/a1')->{json}{properties}{assetId} // '';

my $av = Sluice::Ingest::fixture('av', duration => 40, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');
my $pub = $t->publish(input => $av, realtime => 1, url => "$url/s");

# the work, and copies at random instants

my (%acked, %deleted, @copies);
my $start = Time::HiRes::time();
my @at = sort { $a <=> $b } map { 6 + rand(22) } 1 .. 3;
my $n = 0;

while (Time::HiRes::time() - $start < 32) {
    $n++;
    my $r = $t->api(PUT => "assets/c$n", { properties => {
        description => "asset $n" } });
    $acked{"c$n"} = Time::HiRes::time() if $r->{status} == 201;

    if ($n % 3 == 0) {
        $t->api(PUT => 'assets/c' . ($n - 1), { properties => {
            description => "changed $n" } });
    }

    if ($n % 5 == 0) {
        my $victim = 'c' . ($n - 4);
        $deleted{$victim} = Time::HiRes::time();
        $t->api(DELETE => "assets/$victim");
    }

    # the pace of a busy API, not a wait for a condition
    Time::HiRes::sleep(0.1);

    if (@at && Time::HiRes::time() - $start >= $at[0]) {
        shift @at;
        my $k = @copies;
        my $t0 = Time::HiRes::time();
        # files removed while cp runs (temporary names, trimmed
        # fragments) make it complain: what it copied is the snapshot
        system('cp', '-a', "$dir/data", "$dir/copy$k");
        push @copies, { dir => "$dir/copy$k", t0 => $t0,
            t1 => Time::HiRes::time() };
    }
}

$t->wait_publisher_exit($pub, 30);
$t->stop();

is(scalar @copies, 3, 'three copies made');
ok($n > 20, "$n rounds of API work (creations, updates, deletions)");

for my $c (@copies) {
    my $name = $c->{dir};
    $name =~ s{.*/}{};

    my $t2 = Test::Sluice->new();
    $t2->write_sluice_conf(http => $http, data => $c->{dir},
        server => "server_name localhost;\n",
        location => "aio threads=sluice;\n");

    ok($t2->try_run(), "$name: nginx starts on it") or next;

    # every acknowledged creation is listed

    my %listed;
    my $next = 'assets';
    while ($next) {
        my $r = $t2->api(GET => $next);
        $listed{$_->{name}} = 1 for @{ $r->{json}{value} // [] };
        $next = $r->{json}{'@odata.nextLink'};
        $next =~ s{^https?://[^/]+}{} if $next;
    }

    my @want = grep { $acked{$_} < $c->{t0}
        && !($deleted{$_} && $deleted{$_} < $c->{t1}) } keys %acked;
    my @missing = grep { !$listed{$_} } @want;
    ok(@want > 3, "$name: assets acknowledged before it") or diag(@want);
    is(scalar @missing, 0, "$name: every acknowledged asset listed")
        or diag("missing: @missing");
    ok($listed{a1}, "$name: the recorded asset");

    # the archive plays up to its last listed fragment, once it ended
    # (the live event runs again in the copy: its output is deleted)

    $t2->api(DELETE => 'liveEvents/ev1/liveOutputs/o1');
    ok($t2->wait_for(sub {
        $t2->api(GET => 'liveEvents/ev1/liveOutputs/o1')->{status} == 404
    }, 20), "$name: the live output deleted");

    my @slots = Sluice::Record::slots("$c->{dir}/assets/$aid");
    my ($video) = grep { $_->{type} eq 'video' } @slots;
    my $recs = $video ? $video->{records} : [];

    SKIP: {
        skip "$name: nothing recorded yet", 2 unless @$recs;

        my $span = ($recs->[-1]{time} + $recs->[-1]{duration}
            - $recs->[0]{time}) / 90000;
        my $p = Sluice::Playback::paths($t2, 'loc1');
        my $hls = $p->{Hls} ? $p->{Hls}[0] : '';

        my ($out, $err) = ('', '');
        IPC::Run::run([ 'ffmpeg', '-nostdin', '-v', 'error', '-i',
            Sluice::Playback::url($t2, $hls), '-map', '0', '-c', 'copy',
            '-f', 'null', '-' ], '<', \undef, '>', \$out, '2>', \$err,
            IPC::Run::timeout(90));
        my $rc = $?;

        is($rc, 0, "$name: the archive plays to its end ("
            . scalar(@$recs) . " fragments)") or diag($err);

        my ($info) = Sluice::Playback::ffprobe($t2, $hls);
        my $d = $info ? $info->{format}{duration} // 0 : 0;
        ok(abs($d - $span) < 2.5,
            "$name: its duration is the index's ($span s)") or diag($d);
    }

    $t2->stop();
}

done_testing();
