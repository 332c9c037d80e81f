#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Players across the holes of a recorded asset (issue 16, "Shaka Player
# stalled once on an asset with gaps"): an event recorded through three
# publishes with the encoder down for about 6 s and then 14 s (two holes
# in the asset's timeline, each a DASH Period and an HLS
# EXT-X-DISCONTINUITY), played across both holes by Shaka (DASH CMAF and
# HLS fMP4) with its default settings (its HLS live with one setting,
# see below): live (the output still recording, the players seeking back
# to the start of the DVR window) and then as video on demand from its
# start, with dash.js and hls.js too.  DASH keeps the holes in its
# timeline (42 s of progress from the start cross both); HLS joins the media at its discontinuities (20
# s of progress from the start cross both).  Shaka 5.2.12 jumps each
# DASH hole with its GapJumpingController (gapDetectionThreshold 0.5 s,
# no size limit since jumpLargeGaps went away), once the media after it
# is buffered and when it starts before the seek range's end.  The stall
# the issue reports was not seen here: this suite guards against it, and
# t/128 against a seek into a hole.
#
# Needs chromium and the npm packages of t/browser: `npm ci --prefix
# t/browser` (./build.sh does it); skipped otherwise.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;
use Sluice::Record;

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

Sluice::Playback::config($t);
$t->run();

my $token = 'a5a5a5a5a5a5a5a5a5a5a5a5a5a5a126';
ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');
my $url = Sluice::Record::event($t, 'holes', $token);
ok($url, 'live event') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'holes', 'o1', 'a1', 'loc',
    manifestName => 'show');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($base) = ($smooth // '') =~ m{^(/[^/]+/show\.ism)/manifest$};
ok($base, 'locator') or BAIL_OUT('no locator');

# two publishes of 8 s, the encoder down about 6 s after the first and
# 14 s after the second (the event's timeline follows the wall clock, so
# each outage is a hole; the second longer than Shaka's buffering goal,
# 10 s), then a third that goes on

my $pub = Sluice::Record::publish_with_holes($t, 'holes', $url, 6, 14);

# live: 40 s of timeline and more, both holes in the DVR window

my $http = 'http://127.0.0.1:' . $t->port(8080) . $base;
my $dash = "$http/manifest(format=mpd-time-cmaf)";
my $hls = "$http/manifest(format=m3u8-cmaf)";

my ($vpath, $vpl);
ok($t->wait_for(sub {
    my $m = $t->get("$base/manifest(format=mpd-time-cmaf)")->{body} // '';
    my @p = $m =~ /<Period\b/g;
    $m = $t->get("$base/manifest(format=m3u8-cmaf)")->{body} // '';
    ($vpath) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    $vpl = $vpath ? $t->get("$base/$vpath")->{body} // '' : '';
    my @segs = Sluice::Playback::segments($vpl);
    return @p == 3 && @segs >= 20;
}, timeout => 60, interval => 1),
    'live: three Periods, 40 s of media (both holes in the window)')
    or diag($vpl);

# (dash.js seeking back into a live window with holes: t/128.)  Shaka's
# HLS live is played with manifest.hls.ignoreManifestProgramDateTime:
# with its default settings, Shaka 5.2.12 closes the program date time
# gaps of the discontinuities when it loads the playlist (25 segments of
# 2 s over 50 s), but at its first reload moves the segments after the
# holes back by their length once more (22 s: the video's last segment
# then ends at 30 s, not 52 s), so its seek range (the streams' earliest
# last segment end - their first start) loses 22 s, the segments before
# its new start are evicted, and a reload later the range is a segment
# or two at the live edge.  A seek back to the start of the window then
# does not take (1 of 9 plays), or is taken just before the range moves
# and the player jumps about 22 s forward, past both holes to the live
# edge, which counted as the 20 s of progress (the 8 others, done within
# 2 s of the seek).  The playlists are as RFC 8216 has them
# (EXT-X-DISCONTINUITY, then a program date time that jumps by the hole;
# MEDIA- and DISCONTINUITY-SEQUENCE steady and equal in both
# renditions).  With EXTINF times only (the workaround of Shaka's issue
# 10084), the window stays and the player plays the 20 s across both
# discontinuities.
my $extinf = '{"manifest":{"hls":{"ignoreManifestProgramDateTime":true}}}';
play('live', [ 'shaka', $dash, seconds => 42, seek_back => 120 ],
             [ 'shaka', $hls, seconds => 20, seek_back => 120,
               args => [ '--shaka-config', $extinf ] ]);

$t->stop_publisher($pub);
ok(Sluice::Record::delete_output($t, 'holes', 'o1'), 'output deleted');

my $mpd = $t->get("$base/manifest(format=mpd-time-cmaf)")->{body} // '';
my @periods = $mpd =~ /<Period\b([^>]*)>/g;
is(scalar @periods, 3, 'the MPD has a Period per stretch of media')
    or diag($mpd);
like($mpd, qr/type="static"/, 'a static MPD');

my $m3u8 = $t->get("$base/manifest(format=m3u8-cmaf)")->{body} // '';
($vpath) = $m3u8 =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
$vpl = $vpath ? $t->get("$base/$vpath")->{body} // '' : '';
my $holes = () = $vpl =~ /^#EXT-X-DISCONTINUITY$/mg;
is($holes, 2, 'the video playlist has two discontinuities') or diag($vpl);

# on demand from the start: 42 s of the DASH timeline cross both holes;
# HLS has the 16 s of the first two publishes before its second
# discontinuity

play('video on demand',
     [ 'shaka', $dash, seconds => 42 ], [ 'dash', $dash, seconds => 42 ],
     [ 'shaka', $hls, seconds => 20 ], [ 'hls', $hls, seconds => 20 ]);

$t->done_testing();


sub play {
    my ($mode, @cases) = @_;

    push @$_, timeout => 90 for @cases;

    my @res = Sluice::Players::play_many($t, \@cases, jobs => 2);

    for my $k (0 .. $#cases) {
        my $r = $res[$k];
        my ($p, $u, %o) = @{ $cases[$k] };
        ok($r->{ok}, "$mode: $p " . ($u =~ /mpd/ ? 'DASH' : 'HLS')
           . " plays $o{seconds} s across both holes (case $k)")
            or diag(Sluice::Players::json($r));
    }
}
