#!/usr/bin/perl

# Video on demand: an asset recorded by a live output plays as VOD in
# every format once the output is deleted (EXT-X-ENDLIST and
# EXT-X-PLAYLIST-TYPE:VOD, static MPD with mediaPresentationDuration,
# Smooth IsLive="FALSE" with Duration, long cache lifetimes), and once
# the live event stops (removeOutputsOnStop); the asset keeps playing
# after a restart of nginx; an asset deleted: 404.  GStreamer (playbin3,
# dashdemux2) plays the static MPDs to their end (its live DASH is TODO
# in t/051).

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::GStreamer;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = 'aaaabbbbccccddddaaaabbbbccccdddd';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $ev = $t->create_live_event('ev1', token => $token,
    properties => { encoding => { encodingType => 'PassthroughStandard' } });
ok($ev, 'ev1 running') or BAIL_OUT('no live event');

# three renditions (three RTMP streams), published before the outputs
# exist: the recording starts in the middle of the stream, where the
# tracks may be caught a fragment apart
my @ladder = Sluice::Ingest::fixture('ladder', duration => 8, gop => 2);
my $pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                   . "/live/$token/stream$_" } 1 .. 3 ]);

my $preview = '/' . $ev->{properties}{preview}{previewLocator}
    . '/preview.ism/manifest';
ok($t->wait_for(sub {
    my @q = $t->get($preview)->{body} =~ /<QualityLevel\b/g;
    return @q >= 4;
}, 30), 'the preview has every track');
ok(Sluice::Playback::wait_fragments($t, $preview, 2),
   'the preview has two fragments');

my $p1 = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
    manifestName => 'one');
my $p2 = Sluice::Playback::record($t, 'ev1', 'o2', 'a2', 'loc2',
    manifestName => 'two');

my $s1 = $p1->{SmoothStreaming}[0] // '/none';
my $s2 = $p2->{SmoothStreaming}[0] // '/none';

ok(Sluice::Playback::wait_media($t, $s1, 40), 'a1 recorded');
ok(Sluice::Playback::wait_media($t, $s2, 40), 'a2 recorded');
# more than 6 s of media (check_vod, gst_vod)
ok(Sluice::Playback::wait_fragments($t, $s1, 4, seconds => 8),
   'a1 has 8 s of media');

like($t->get($s1)->{body}, qr/IsLive="TRUE"/, 'a1 live while recording');

# --- the output is deleted: a1 is video on demand -----------------------------

my $r = $t->api(DELETE => 'liveEvents/ev1/liveOutputs/o1');
ok($r->{status} == 200 || $r->{status} == 202, 'delete o1');
$t->wait_for(sub {
    $t->api(GET => 'liveEvents/ev1/liveOutputs/o1')->{status} == 404 }, 20);

check_vod($p1, 'after output delete');
gst_vod($p1, 'after output delete');

# a2 is still recording: live

like($t->get($s2)->{body}, qr/IsLive="TRUE"/, 'a2 still live');

# --- the event stops (removeOutputsOnStop): a2 is VOD too --------------------

$t->stop_publisher($pub);

$r = $t->api(POST => 'liveEvents/ev1/stop',
    { removeOutputsOnStop => JSON::PP::true });
ok($r->{status} == 200 || $r->{status} == 202, 'stop ev1 removing outputs');
$t->wait_for(sub { $t->live_event_state('ev1') eq 'Stopped' }, 20);

check_vod($p2, 'after event stop');

# --- a restart keeps the assets playable -----------------------------------

my $before = $t->get($s1)->{body};
$t->stop();
$t->run();
$r = $t->get($s1);
is($r->{status}, 200, 'after a restart: 200');
is($r->{body}, $before, 'after a restart: the same VOD manifest');

# --- an asset deleted -------------------------------------------------------

$t->api(DELETE => 'assets/a1');
is($t->get($s1)->{status}, 404, 'asset deleted: 404');

$t->done_testing();


# GStreamer plays each static MPD to its end: no error, EOS, the video and
# audio of the whole asset decoded
sub gst_vod {
    my ($paths, $what) = @_;

    SKIP: {
        my $m = Sluice::GStreamer::missing();
        skip("$m is missing", 4 * @{ $paths->{Dash} // [] }) if $m;

        # the MPDs at once: independent gst-launch processes
        my @paths = @{ $paths->{Dash} // [] };
        my @results = Sluice::GStreamer::play_many([ map {
            [ 'playbin3', Sluice::Playback::url($t, $_), 30 ] } @paths ]);

        for my $path (@paths) {
            my $r = shift @results;

            ok(!@{$r->{errors}}, "$what: GStreamer $path: no error")
                or diag(join("\n", @{$r->{errors}}));
            ok($r->{eos}, "$what: GStreamer $path: played to the end")
                or diag($r->{tail});
            ok($r->{video_span} > 6 && $r->{audio_span} > 6,
               "$what: GStreamer $path: more than 6 s of video and audio")
                or diag("video $r->{video_span} s ($r->{video_n}),"
                        . " audio $r->{audio_span} s ($r->{audio_n})");
            ok($r->{width} == 1280 || $r->{width} == 960
               || $r->{width} == 640,
               "$what: GStreamer $path: decoded $r->{width}x$r->{height}");
        }
    }
}


sub check_vod {
    my ($paths, $what) = @_;

    my $smooth = $paths->{SmoothStreaming}[0] // '/none';
    my ($base) = $smooth =~ m{^(.*)/manifest$};

    my $r = $t->get($smooth);
    is($r->{status}, 200, "$what: smooth 200");
    like($r->{body}, qr/IsLive="FALSE"/, "$what: smooth IsLive FALSE");
    my @vi = $r->{body} =~ /<StreamIndex\b[^>]*Type="video"/g;
    my ($vi) = $r->{body} =~
        m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
    my @ql = ($vi // '') =~ /<QualityLevel\b/g;
    ok(@vi == 1 && @ql == 3,
        "$what: smooth: one video StreamIndex with the 3 renditions")
        or diag($r->{body});
    my ($d) = $r->{body} =~ /<SmoothStreamingMedia\b[^>]*Duration="(\d+)"/;
    ok(($d // 0) > 60_000_000, "$what: smooth Duration > 6 s")
        or diag($r->{body});
    like($r->{headers}{'cache-control'} // '', qr/max-age=86400\b/,
        "$what: VOD manifest cached a day");

    for my $path (@{ $paths->{Dash} // [] }) {
        $r = $t->get($path);
        like($r->{body}, qr/type="static"/, "$what: static MPD");
        like($r->{body}, qr/mediaPresentationDuration="PT/,
            "$what: mediaPresentationDuration");
        unlike($r->{body}, qr/availabilityStartTime/,
            "$what: no availabilityStartTime");
    }

    for my $path (@{ $paths->{Hls} // [] }) {
        $r = $t->get($path);
        my ($vpl) = $r->{body} =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
        (my $dir = $path) =~ s{/manifest\(.*$}{};
        $r = $t->get("$dir/" . ($vpl // 'none'));
        like($r->{body}, qr/#EXT-X-PLAYLIST-TYPE:VOD\n/,
            "$what: $path PLAYLIST-TYPE VOD");
        like($r->{body}, qr/#EXT-X-ENDLIST\n$/, "$what: $path ENDLIST");
        unlike($r->{body}, qr/PROGRAM-DATE-TIME/, "$what: no PDT");
        like($r->{headers}{'cache-control'} // '', qr/max-age=86400\b/,
            "$what: VOD playlist cached a day");
    }

    for my $path (@{ $paths->{Hls} // [] }, @{ $paths->{Dash} // [] },
                  "$base/manifest(format=m3u8-aapl-v3)")
    {
        my ($j, $err) = Sluice::Playback::ffprobe($t, $path);
        my @s = $j ? @{ $j->{streams} // [] } : ();
        my %w = map { ($_->{width} // 0) => 1 }
            grep { ($_->{codec_name} // '') eq 'h264' } @s;
        ok($w{1280} && $w{960} && $w{640}
           && (grep { ($_->{codec_name} // '') eq 'aac' } @s),
            "$what: ffprobe $path: three h264 renditions and aac")
            or diag($err);
        ok(($j->{format}{duration} // 0) > 6, "$what: $path duration > 6 s")
            or diag(explain($j->{format}));
        is($err, '', "$what: $path ffprobe says nothing");
    }
}
