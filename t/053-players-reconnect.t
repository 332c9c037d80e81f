#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Players keep playing across an encoder reconnect, the DASH-IF way: the
# timeline is anchored to the wall clock (the event's epoch is fixed for a
# generation), a reconnect after an outage continues the timeline at the
# wall clock (a hole as long as the outage), DASH starts a new Period
# where the media before the hole ends, the hole at its start
# (availabilityStartTime unchanged), HLS writes EXT-X-DISCONTINUITY and
# Smooth restates t.  hls.js (HLS fMP4 and TS), dash.js and Shaka (DASH
# CMAF), all four across one reconnect, must advance currentTime by 16 s
# while the encoder is down for about 5 s, and dash.js and Shaka must
# play when they join with their start inside the hole
# (t/browser/play.js, headless Chromium).
#
# Needs chromium and the npm packages of t/browser: `npm ci --prefix
# t/browser` (./build.sh does it); skipped otherwise.

use strict;
use warnings;

use Test::More;
use JSON::PP;
use Time::HiRes qw(time);
use Time::Local qw(timegm);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

$t->write_sluice_conf(
    http => 'sluice_transition_time 0s;',
    location => "sluice_live_window 60s;\naio threads=sluice;");

my @ladder = Sluice::Ingest::fixture('ladder', duration => 10, gop => 2);

$t->run();

my $token = 'c0ffeec0ffeec0ffeec0ffeec0ffee53';
my $loc = $t->create_preview_event('reconnect1', $token);
ok($loc, 'live event running with a preview locator')
    or diag('no live event: ' . ($t->read_file('error.log') // ''));
unless ($loc) {
    $t->done_testing();
    exit;
}

my $base = "/$loc/preview.ism";
my $http = 'http://127.0.0.1:' . $t->port(8080) . $base;
my $mpd_url = "$base/manifest(format=mpd-time-cmaf)";
my $mpd_http = 'http://127.0.0.1:' . $t->port(8080) . $mpd_url;

my $pub = publish();

ok(Sluice::Playback::wait_fragments($t, "$base/manifest", 5),
   'fragments available')
    or diag($t->read_file('error.log'));

my $ast = (mpd_info() // {})->{ast};
ok($ast, 'dynamic MPD with an availabilityStartTime');

# four players play across one and the same reconnect, each counting its
# 16 s of media from the moment the encoder goes down (the mark file,
# created then), in 75 s: the encoder goes down once all four play (45 s
# at most: four Chromiums start at once), for about 5 s (stop, a hole of
# 3 s, reconnect, first fragment); a player stuck at the reconnect does
# not make it.  A player plays about 7 s behind the live edge: its 16 s
# lead it past the discontinuity.

my @cases = (
    [ 'hls.js HLS fMP4', 'hls', "$http/manifest(format=m3u8-cmaf).m3u8" ],
    [ 'hls.js HLS TS', 'hls', "$http/manifest(format=m3u8-aapl).m3u8" ],
    [ 'dash.js DASH CMAF', 'dash', "$mpd_http.mpd" ],
    [ 'Shaka DASH CMAF', 'shaka', "$mpd_http.mpd" ],
);

my $mark = $t->testdir . '/encoder-down';
my @h = map { Sluice::Players::play_start($t, $_->[1], $_->[2],
    seconds => 16, timeout => 75, start_mark => $mark) } @cases;

for my $i (0 .. $#cases) {
    ok(Sluice::Players::wait_playing($t, $h[$i], 45),
       "$cases[$i][0]: playing");
}

$t->write_file('encoder-down', '');
my $down = outage(3);
my $up = time();
$pub = publish();

for my $i (0 .. $#cases) {
    my $r = Sluice::Players::play_finish($h[$i]);

    ok($r->{ok}, "$cases[$i][0]: plays 16 s across an encoder reconnect")
        or diag(JSON::PP->new->canonical->encode($r));
    note(JSON::PP->new->canonical->encode($r));
}

check_manifests('reconnect', $down, $up);

# a player joining just after a reconnect: dash.js and Shaka start at
# the live edge minus their delay (suggestedPresentationDelay, 6 s),
# which falls inside the hole when they join as soon as the new Period
# has its first fragment; the hole opens that Period, so the player finds
# the Period's media ahead and plays on from there

for my $c ([ 'dash.js joining inside the hole', 'dash', "$mpd_http.mpd" ],
           [ 'Shaka joining inside the hole', 'shaka', "$mpd_http.mpd" ])
{
    my ($name, $player, $url) = @$c;

    my $down = outage(3);
    $pub = publish();

    my $m;
    $t->wait_for(sub {
        $m = mpd_info();
        return $m && @{$m->{periods}} >= 2
            && iso_time($m->{ast}) + $m->{periods}[-1]{first} > $down
            && $m->{periods}[-1]{nfrags} >= 1;
    }, 30, 0.2);

    # join when the live edge minus 6 s is in the middle of the hole

    my $p = $m ? $m->{periods}[-1] : {};
    my $prev = $m ? $m->{periods}[-2] : {};
    my $ast_s = iso_time($m ? $m->{ast} : '');
    my $mid = (($prev->{end} // 0) + ($p->{first} // 0)) / 2;
    # (the players' start is on the wall clock: wait for that time, 10 s
    # at most)
    $t->wait_for(sub { time() - $ast_s - 6 >= $mid }, timeout => 10)
        if $mid - (time() - $ast_s - 6) < 10;

    note(sprintf '%s: hole %.1f..%.1f s, joining at about %.1f s',
         $name, $prev->{end} // -1, $p->{first} // -1,
         time() - $ast_s - 6);

    my $r = Sluice::Players::play($t, $player, $url, seconds => 8,
        timeout => 40);

    ok($r->{ok}, "$name: plays 8 s")
        or diag(JSON::PP->new->canonical->encode($r));
    note(JSON::PP->new->canonical->encode($r));
}

$t->stop_publisher($pub);

$t->done_testing();


###############################################################################

# after a reconnect: the same availabilityStartTime, a new Period at the
# wall clock, contiguous timelines within each Period; HLS discontinuity
# and Smooth restated t

sub check_manifests {
    my ($name, $down, $up) = @_;

    my $m;
    # the Period of this reconnect, with two fragments
    $t->wait_for(sub {
        $m = mpd_info();
        return $m && @{$m->{periods}} >= 2
            && iso_time($m->{ast}) + $m->{periods}[-1]{first} > $down
            && $m->{periods}[-1]{nfrags} >= 2;
    }, 30, 0.5);

    ok($m && $m->{ast} eq ($ast // ''),
       "$name: availabilityStartTime unchanged after the reconnect")
        or diag(explain($m));
    ok($m && @{$m->{periods}} >= 2, "$name: a new Period after the reconnect")
        or diag(explain($m));
    return unless $m && @{$m->{periods}} >= 2;

    my $p = $m->{periods}[-1];
    my $prev = $m->{periods}[-2];
    my $ast_s = iso_time($m->{ast});

    # the new Period begins where the media before the outage ends, the
    # hole at its start; its first fragment, the first after the
    # reconnect, is on the wall clock: not before the encoder went down,
    # not much later than it came back, $up (ffmpeg start-up, a fragment;
    # the outage itself lasts longer on a loaded machine: a CI run at
    # load 20 saw 12.8 s from $down)
    ok(abs($p->{start} - $prev->{end}) < 0.002, "$name: the Period starts "
       . "where the media before the outage ends ($p->{start} s)")
        or diag(explain($m));
    my $wall = $ast_s + $p->{first};
    ok($wall > $down && $wall < $up + 8,
       "$name: its first fragment is on the wall clock (outage: "
       . sprintf('%.1f s, %.1f s after the encoder came back',
                 $wall - $down, $wall - $up) . ')')
        or diag(explain($m));
    ok($p->{first} - $p->{start} >= 1,
       "$name: the hole opens the new Period ("
       . sprintf('%.1f s', $p->{first} - $p->{start}) . ')')
        or diag(explain($m));
    ok(!grep({ $_->{holes} } @{$m->{periods}}),
       "$name: no hole within a Period") or diag(explain($m));
    ok($p->{pto_ok}, "$name: presentationTimeOffset is the Period start")
        or diag(explain($m));
    ok($p->{sets} == 2 && $prev->{sets} == 2,
       "$name: video and audio in both Periods") or diag(explain($m));

    my $mr = $t->get("$base/manifest(format=m3u8-cmaf)");
    my ($media) = ($mr->{body} // '')
        =~ m{^(QualityLevels\([^\n]*video[^\n]*)$}m;
    my $pl = $media ? $t->get("$base/$media")->{body} : '';
    my @disc = $pl =~ /^#EXT-X-DISCONTINUITY$/mg;
    ok(@disc >= 1, "$name: HLS playlist has EXT-X-DISCONTINUITY")
        or diag($pl);

    # program date time follows the timeline: after the discontinuity,
    # availabilityStartTime + the new Period's first fragment
    my @pdt = map { iso_time($_) } $pl =~ /^#EXT-X-PROGRAM-DATE-TIME:(.*)$/mg;
    ok(@pdt >= 2 && abs($pdt[-1] - ($ast_s + $p->{first})) < 0.01,
       "$name: HLS PROGRAM-DATE-TIME after the discontinuity is the "
       . "Period's first fragment") or diag($pl);

    my $sm = $t->get("$base/manifest")->{body} // '';
    my ($v) = $sm =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
    my @c = ($v // '') =~ /<c\b([^>]*)>/g;
    shift @c;
    ok(scalar(grep { /\bt="/ } @c), "$name: Smooth restates t after the gap")
        or diag($sm);
}


# the video Periods of the MPD: start, first fragment, end (seconds)
sub mpd_info {
    my $r = $t->get($mpd_url);
    return unless $r->{status} == 200;
    my $x = $r->{body};

    my ($ast) = $x =~ /availabilityStartTime="([^"]+)"/;
    return unless $ast && $x =~ /type="dynamic"/;

    my @periods;
    for my $pd ($x =~ m{(<Period\b.*?</Period>)}sg) {
        my ($start) = $pd =~ /<Period\b[^>]*\bstart="PT([\d.]+)S"/;
        my @sets = $pd =~ /<AdaptationSet\b/g;
        my ($vs) = $pd =~ m{mimeType="video/mp4"(.*?)</AdaptationSet>}s;
        my ($ts) = ($vs // '') =~ /timescale="(\d+)"/;
        my ($pto) = ($vs // '') =~ /presentationTimeOffset="(\d+)"/;
        my ($tl) = ($vs // '') =~ m{<SegmentTimeline>(.*?)</SegmentTimeline>}s;
        my ($first, $pos, $n, $holes) = (undef, undef, 0, 0);

        for my $s (($tl // '') =~ /<S\b([^>]*)>/g) {
            my ($st) = $s =~ /\bt="(\d+)"/;
            my ($d) = $s =~ /\bd="(\d+)"/;
            my ($rep) = $s =~ /\br="(\d+)"/;
            $first //= $st;
            $holes++ if defined $st && defined $pos
                && abs($st - $pos) > 0.25 * ($ts || 1);
            $pos = ($st // $pos) + $d * (1 + ($rep // 0));
            $n += 1 + ($rep // 0);
        }

        $ts ||= 1;
        push @periods, {
            start => $start // 0,
            first => defined $first ? $first / $ts : -1,
            end => defined $pos ? $pos / $ts : -1,
            nfrags => $n,
            holes => $holes,
            sets => scalar @sets,
            pto_ok => abs(($pto // 0) / $ts - ($start // 0)) < 0.002,
        };
    }

    return { ast => $ast, periods => \@periods };
}


sub iso_time {
    my ($s) = @_;
    my ($y, $mo, $d, $h, $mi, $sec) =
        $s =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):([\d.]+)/ or return 0;
    return timegm(0, $mi, $h, $d, $mo - 1, $y) + $sec;
}


sub publish {
    return $t->publish(input => [@ladder], loop => 1,
        url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                       . "/live/$token/stream$_" } 1 .. 3 ]);
}


# the encoder goes down: stopped, nginx saw all three renditions leave,
# and the wall clock is $hole s past the end of the stored media (the hole
# the reconnect will leave); returns the time it was stopped
sub outage {
    my ($hole) = @_;

    my $from = $t->log_offset();
    $t->stop_publisher($pub);
    my $down = time();

    $t->wait_log(qr/"stream\d" stops publishing to live event "reconnect1"/,
        from => $from, count => 3);
    $t->wait_for(sub {
        my $m = mpd_info() or return;
        @{$m->{periods}} or return;
        my $end = iso_time($m->{ast}) + $m->{periods}[-1]{end};
        return time() >= $end + $hole;
    }, timeout => 20, interval => 0.2, what => "a $hole s outage");

    return $down;
}
