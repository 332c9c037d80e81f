#!/usr/bin/perl

# Cloud DVR windows: two live outputs on one live event, one with a
# rewind window of 1 minute (archive 3 minutes) and 3 fragments per HLS
# TS segment, one with an archive window of 2 minutes and no rewind
# window; each locator's live manifests offer its own window (HLS
# playlists list the whole window, DASH timeShiftBufferDepth, Smooth
# DVRWindowLength), TS segments of fragmentsPerTsSegment fragments (about
# 3 x 2 s), fMP4 segments of one fragment.  The encoder publishes faster
# than real time so that minutes of timeline exist after a few seconds.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = 'fedcba9876543210fedcba9876543210';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $ev = $t->create_live_event('ev1', token => $token,
    properties => { encoding => { encodingType => 'PassthroughStandard' } });
ok($ev, 'ev1 running') or BAIL_OUT('no live event');

my $p1 = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
    manifestName => 'rw', archiveWindowLength => 'PT3M',
    rewindWindowLength => 'PT1M', hls => { fragmentsPerTsSegment => 3 });
my $p2 = Sluice::Playback::record($t, 'ev1', 'o2', 'a2', 'loc2',
    manifestName => 'ar', archiveWindowLength => 'PT2M');

my $fixture = Sluice::Ingest::fixture('av', duration => 10, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1, realtime => 0,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

my $s1 = $p1->{SmoothStreaming}[0] // '/none';
my $s2 = $p2->{SmoothStreaming}[0] // '/none';

# until more than 200 s of timeline were recorded

my $long = $t->wait_for(sub {
    my $r = Sluice::Playback::wait_media($t, $s2, 1) or return;
    my ($v) = $r->{body} =~
        m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s or return;
    my ($ts) = $v =~ /^<StreamIndex\b[^>]*TimeScale="(\d+)"/;
    my ($t0) = $v =~ /<c\b[^>]*\bt="(\d+)"/;
    return (defined $t0 && $t0 / ($ts // 1e7) > 90) ? 1 : undef;
}, 120, 0.5);

ok($long, 'more than 200 s of timeline recorded');
$t->stop_publisher($pub);

# the last fragments are written after the publisher left: wait until the
# Smooth manifest of o1 stays the same over half a second, so every
# format below sees one and the same window
my $last = '';
ok($t->wait_for(sub {
    my $body = $t->get($s1)->{body} // '';
    my $same = $body eq $last && $body =~ /<c\b/;
    $last = $body;
    return $same;
}, timeout => 15, interval => 0.5, what => 'o1 window settled'),
    'o1: window settled after the publisher left');

# --- o1: rewind window 1 min ------------------------------------------------

my $r = $t->get($s1);
like($r->{body}, qr/IsLive="TRUE"/, 'o1: live');
like($r->{body}, qr/DVRWindowLength="600000000"/,
    'o1: Smooth DVRWindowLength = rewind window (60 s)');
my $span = smooth_span($r->{body});
ok($span >= 56 && $span <= 64, "o1: Smooth lists 60 s (got $span)");

my ($mpd1) = grep { /mpd-time-cmaf/ } @{ $p1->{Dash} // [] };
$r = $t->get($mpd1 // '/none');
like($r->{body}, qr/type="dynamic"/, 'o1: dynamic MPD');
is(iso_seconds($r->{body} =~ /timeShiftBufferDepth="([^"]+)"/),
    60, 'o1: timeShiftBufferDepth 60 s');

my ($ts1) = grep { /m3u8-aapl\)/ } @{ $p1->{Hls} // [] };
my $pl = playlist($ts1, 'video');
my @segs = Sluice::Playback::segments($pl->{body});
my $sum = 0;
$sum += $_->[1] for @segs;
# (groups of 3 fragments: the first listed group may start up to one
# group after the window's start, and the last group, incomplete while
# the event runs, is not listed: down to 60 - 2 x 6 s)
ok($sum >= 47 && $sum <= 66, "o1: TS playlist lists the 60 s window ($sum)")
    or diag($pl->{body});
my @six = grep { $_->[1] > 5.5 && $_->[1] < 6.5 } @segs;
ok(@six >= @segs - 1 && @segs >= 8,
    'o1: TS segments of 3 fragments (about 6 s)')
    or diag($pl->{body});
unlike($pl->{body}, qr/#EXT-X-ENDLIST/, 'o1: no ENDLIST');
my ($ms) = $pl->{body} =~ /#EXT-X-MEDIA-SEQUENCE:(\d+)/;
my ($t0) = ($segs[0][0] // '') =~ /=(\d+)/;
ok(defined $ms && defined $t0 && $ms == int(($t0 / 90000 + 1) / 2 / 3),
    'o1: MEDIA-SEQUENCE counts segments of 3 fragments')
    or diag("seq $ms first $t0");

# one TS segment holds 3 fragments (one from the middle of the window:
# at its ends a group may be partial, or lack the audio v3 muxes in)
my $seg = $segs[int(@segs / 2)];
$r = $t->get("$pl->{dir}/" . ($seg->[0] // 'none'));
is($r->{status}, 200, 'o1: TS segment 200');
my $file = $t->testdir() . '/seg.ts';
$t->write_file('seg.ts', $r->{body});
my $j = Sluice::Ingest::ffprobe_json($file);
my $dur = $j->{format}{duration} // 0;
ok($dur > 5.5 && $dur < 6.6, "o1: TS segment lasts about 6 s ($dur)");

(my $v3 = $seg->[0] // '') =~ s/m3u8-aapl\)/m3u8-aapl-v3)/;
$r = $t->get("$pl->{dir}/$v3");
is($r->{status}, 200, 'o1: v3 TS segment 200');
$t->write_file('v3.ts', $r->{body});
$j = Sluice::Ingest::ffprobe_json($t->testdir() . '/v3.ts');
is(join(',', sort map { $_->{codec_type} } @{ $j->{streams} // [] }),
    'audio,video', 'o1: v3 TS segment: audio muxed in');
ok(($j->{format}{duration} // 0) > 5.5, 'o1: v3 TS segment about 6 s');

my ($cm1) = grep { /m3u8-cmaf/ } @{ $p1->{Hls} // [] };
my $cpl = playlist($cm1, 'video');
my @csegs = Sluice::Playback::segments($cpl->{body});
ok(@csegs >= 27 && !grep({ $_->[1] > 2.5 } @csegs),
    'o1: fMP4 playlist: segments of one fragment');

# a fragment inside a group of 3 is no TS segment: 404 (taken from the
# middle of the window: at its start the first group may be a partial one)
my %start = map { (($_->[0] =~ /video=(\d+)/)[0] // -1) => 1 } @segs;
my ($mid) = grep { defined && !$start{$_} }
    map { ($_->[0] =~ /video=(\d+)/)[0] }
    @csegs[int(@csegs / 3) .. int(2 * @csegs / 3)];
$r = $t->get("$pl->{dir}/Fragments(video=" . ($mid // 0)
    . ",format=m3u8-aapl)");
ok(defined $mid && $r->{status} == 404,
    'o1: a fragment inside a TS segment is not a segment')
    or diag(($mid // "none") . ": $r->{status}");

my ($j1, $err) = Sluice::Playback::ffprobe($t, $ts1);
ok($j1 && grep({ ($_->{codec_name} // '') eq 'h264' } @{ $j1->{streams} }),
    'o1: ffprobe m3u8-aapl') or diag($err);

# --- o2: archive window 2 min, no rewind window ------------------------------

$r = $t->get($s2);
like($r->{body}, qr/DVRWindowLength="1200000000"/,
    'o2: Smooth DVRWindowLength = archive window (120 s)');
$span = smooth_span($r->{body});
ok($span >= 116 && $span <= 124, "o2: Smooth lists 120 s (got $span)");

my ($ts2) = grep { /m3u8-aapl\)/ } @{ $p2->{Hls} // [] };
$pl = playlist($ts2, 'video');
@segs = Sluice::Playback::segments($pl->{body});
$sum = 0;
$sum += $_->[1] for @segs;
ok($sum >= 114 && $sum <= 126, "o2: TS playlist lists 120 s ($sum)");
ok(!grep({ $_->[1] > 2.5 } @segs), 'o2: TS segments of one fragment');

my ($mpd2) = grep { /mpd-time-csf/ } @{ $p2->{Dash} // [] };
$r = $t->get($mpd2 // '/none');
is(iso_seconds($r->{body} =~ /timeShiftBufferDepth="([^"]+)"/),
    120, 'o2: timeShiftBufferDepth 120 s');

# the preview keeps its own window (sluice_live_window, 60 s default)
my $prev = '/' . $ev->{properties}{preview}{previewLocator}
    . '/preview.ism/manifest';
$span = smooth_span($t->get($prev)->{body});
ok($span >= 56 && $span <= 64, "preview: its own 60 s ($span)");

# --- o1 deleted: its asset plays as VOD, TS segments still of 3 fragments,
# also after a restart (the asset keeps fragmentsPerTsSegment) -------------

$r = $t->api(DELETE => 'liveEvents/ev1/liveOutputs/o1');
ok($t->wait_for(sub {
    $t->api(GET => 'liveEvents/ev1/liveOutputs/o1')->{status} == 404 }, 20),
    'o1 deleted');

for my $when ('VOD', 'VOD after a restart') {
    if ($when =~ /restart/) {
        $t->stop();
        $t->run();
    }

    $pl = playlist($ts1, 'video');
    @segs = Sluice::Playback::segments($pl->{body});
    @six = grep { $_->[1] > 5.5 && $_->[1] < 6.5 } @segs;
    like($pl->{body}, qr/#EXT-X-ENDLIST/, "o1 $when: ENDLIST");
    ok(@segs >= 8 && @six >= @segs - 2,
        "o1 $when: TS segments of 3 fragments")
        or diag($pl->{body});
}

$t->done_testing();


# seconds covered by the video chunks of a Smooth manifest

sub smooth_span {
    my ($xml) = @_;
    my ($v) = $xml =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
    return 0 unless $v;
    my ($ts) = $v =~ /^<StreamIndex\b[^>]*TimeScale="(\d+)"/;
    my ($top) = $xml =~ /<SmoothStreamingMedia\b[^>]*TimeScale="(\d+)"/;
    my $d = 0;
    for my $c ($v =~ /<c\b([^>]*)>/g) {
        my ($dd) = $c =~ /\bd="(\d+)"/;
        my ($r) = $c =~ /\br="(\d+)"/;
        $d += ($dd // 0) * ($r // 1);
    }
    return $d / ($ts // $top // 1e7);
}


sub iso_seconds {
    my ($v) = @_;
    return -1 unless defined $v;
    my ($h, $m, $s) = $v =~ /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/;
    return ($h // 0) * 3600 + ($m // 0) * 60 + ($s // 0);
}


# the media playlist of a track from a master playlist path

sub playlist {
    my ($master, $track) = @_;
    my $r = $t->get($master // '/none');
    my ($uri) = $r->{body} =~
        m{((?:^|")QualityLevels\(\d+\)/Manifest\($track[^\n"]*)}m;
    $uri =~ s/^"// if defined $uri;
    (my $base = $master // '') =~ s{/manifest\(.*$}{};
    my ($q) = ($uri // '') =~ m{^(QualityLevels\(\d+\))/};
    my $p = $t->get("$base/" . ($uri // 'none'));
    return { body => $p->{body}, dir => "$base/" . ($q // '') };
}
