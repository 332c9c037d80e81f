#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Fragmented-MP4 ingest over HTTP and HTTPS (sluice_fmp4_ingest), as AMS
# took it: FragmentedMP4 live events list {url}/{token}/ingest.isml,
# ffmpeg -f ismv posts to .../ingest.isml/Streams(name) unmodified:
#
#  - the endpoints the API lists, the encoder's empty probe (200, or 404
#    for an unknown token, 403 for a stopped event, an address not
#    allowed, an RTMP event), RTMP refused by a FragmentedMP4 event;
#  - H.264 + AAC in French and German over HTTP (languages in every
#    manifest format) -> HLS CMAF and TS, DASH and
#    Smooth through ffprobe (codecs, 2 s fragments, frames),
#    HLS fMP4 and Smooth played by GStreamer, HLS CMAF by hls.js and
#    DASH by dash.js in headless Chromium (currentTime, frames decoded);
#  - H.265 over HTTPS -> HLS CMAF and TS, DASH through ffprobe, Smooth
#    FourCC hvc1, HLS fMP4 played by GStreamer (no browser player: this
#    Chromium has no HEVC decoder);
#  - CMAF ingest: ffmpeg -f dash -method PUT (a header and segments per
#    request, a persistent connection per track) -> HLS CMAF and DASH
#    through ffprobe; a segment without its header is 412;
#  - a reconnecting encoder resends its last two fragments (AMS's rule):
#    the timeline continues, nothing doubled;
#  - bad input (garbage, a moof before the moov, an MPEG-4 part 2 video
#    track, a body that stops coming): the request ends, one log line
#    names the stream and the cause, what was stored stays.
#
# The three encoders run at once, each into its own event, and each is
# stopped once its checks are done; the reconnect and the bad input,
# which need no real-time encoder, run while they start.

use strict;
use warnings;
use feature 'state';

use Test::More;
use IPC::Run ();
use IO::Socket::INET;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::GStreamer;
use Sluice::Players;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'openssl');

# (ffmpeg -f ismv sends its request line, then nothing until its first
# fragment is made: seconds of media, more on a loaded machine)
my $ingest = <<'EOF';
location ~* /ingest\.isml {
    sluice_fmp4_ingest;
    client_body_timeout 30s;
}
EOF

$t->write_sluice_conf(
    http => "sluice_ingest_url http://127.0.0.1:%%PORT_8080%%;\n"
        . "sluice_ingest_url https://127.0.0.1:%%PORT_8443%%;",
    server => $ingest,
    servers => "server {\n"
        . "    listen 127.0.0.1:%%PORT_8443%% ssl;\n"
        . "    ssl_certificate %%CERT%%;\n"
        . "    ssl_certificate_key %%CERT_KEY%%;\n"
        . $ingest
        . "}\n");

$t->expect_errors(qr/sluice: publish refused: /,
    qr/sluice: ingest (of|refused)/);

$t->run();

my $port = $t->port(8080);
my $http = "http://127.0.0.1:$port";
my $https = 'https://127.0.0.1:' . $t->port(8443);

###############################################################################
# the API: FragmentedMP4 events and their endpoints

my $tok1 = 'f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1';
my $ev1 = $t->create_live_event('fmp4one', token => $tok1,
    input => { streamingProtocol => 'FragmentedMP4' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev1, 'FragmentedMP4 event running') or BAIL_OUT(log_tail());

my $in = $ev1->{properties}{input};
is($in->{streamingProtocol}, 'FragmentedMP4', 'streamingProtocol kept');
is_deeply($in->{endpoints}, [
    { protocol => 'FragmentedMP4', url => "$http/$tok1/ingest.isml" },
    { protocol => 'FragmentedMP4', url => "$https/$tok1/ingest.isml" } ],
    'input endpoints: the http and https ingest URLs');

my $r = $t->api(PUT => 'liveEvents/fmp4enc', { location => 'local',
    properties => { input => { streamingProtocol => 'FragmentedMP4' },
                    encoding => { encodingType => 'Standard' } } });
is($r->{status}, 400, 'live encoding over FragmentedMP4: 400');
like($r->{body}, qr/over RTMP/, '... saying so');

my $loc1 = $ev1->{properties}{preview}{previewLocator};

###############################################################################
# the probe and the refusals at admission

is(post("/$tok1/ingest.isml", ''), 200, 'probe: 200');
is(post("/$tok1/ingest.isml/Streams(v1)", ''), 200, 'probe of a stream: 200');
is(post('/0000000000000000000000000000dead/ingest.isml', ''), 404,
    'unknown token: 404');
is(post("/$tok1/ingest.isml/Streams(a%20b)", ''), 400,
    'bad stream name: 400');

my $tok2 = 'f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2';
ok($t->create_live_event('fmp4stopped', token => $tok2, start => 0,
    input => { streamingProtocol => 'FragmentedMP4' }), 'stopped event');
is(post("/$tok2/ingest.isml", ''), 403, 'stopped event: 403');

my $tok3 = 'f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3';
ok($t->create_live_event('fmp4acl', token => $tok3,
    input => { streamingProtocol => 'FragmentedMP4',
        accessControl => { ip => { allow => [ { name => 'lan',
            address => '10.0.0.0', subnetPrefixLength => 8 } ] } } }),
    'event allowing 10/8 only');
is(post("/$tok3/ingest.isml", ''), 403, 'address not allowed: 403');

my $tok4 = 'f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4';
ok($t->create_live_event('rtmpone', token => $tok4), 'RTMP event');
is(post("/$tok4/ingest.isml", ''), 403, 'RTMP event over HTTP: 403');
like($t->read_file('error.log'),
    qr/publish refused: the live event's streamingProtocol is RTMP/,
    '... logged');

my $pub = $t->publish(lavfi => { duration => 2 },
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$tok1/rtmp");
$t->wait_publisher_exit($pub, 30);
like($t->read_file('error.log'),
    qr/publish refused: the live event's streamingProtocol is FragmentedMP4/,
    'RTMP into a FragmentedMP4 event refused');

###############################################################################
# the encoders, all at once, each into an event of its own: H.264 + AAC in
# French and German over HTTP as ffmpeg -f ismv sends it, H.265 over HTTPS
# the same way, and CMAF ingest (ffmpeg -f dash -method PUT).  Each runs
# until its checks are done, then gets a 'q' on its stdin, as at a
# console: ffmpeg ends its output as at the end of its input (-t, 300 s,
# only bounds a test that dies).  Their fragments are waited for up to
# 90 s: a loaded machine gives three real-time encoders less than real
# time.  Live playlists never end: everything is probed and played while
# the encoders run.

my $tok5 = 'f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5';
my $ev5 = $t->create_live_event('fmp4hevc', token => $tok5,
    input => { streamingProtocol => 'FragmentedMP4' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev5, 'second FragmentedMP4 event');
my $loc5 = $ev5->{properties}{preview}{previewLocator};

my $tok6 = 'f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6';
my $ev6 = $t->create_live_event('fmp4cmaf', token => $tok6,
    input => { streamingProtocol => 'FragmentedMP4' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev6, 'third FragmentedMP4 event');
my $loc6 = $ev6->{properties}{preview}{previewLocator};

my $tok7 = 'f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7';
my $ev7 = $t->create_live_event('fmp4resend', token => $tok7,
    input => { streamingProtocol => 'FragmentedMP4' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
my $loc7 = $ev7->{properties}{preview}{previewLocator};

my $enc1 = ismv_start("$http/$tok1/ingest.isml/Streams(video1)", 300,
    'libx264', 1);
my $enc5 = ismv_start("$https/$tok5/ingest.isml/Streams(hevc)", 300,
    'libx265');

# (CMAF ingest, DASH-IF live media ingest, interface 1: ffmpeg's DASH
# muxer PUTs each track's header and segments on a persistent connection
# of its own (init-stream0.m4s, chunk-stream0-00001.m4s: track "stream0")
# and its MPD, which is taken and ignored)
my $enc6 = dash_start("$http/$tok6/ingest.isml/manifest.mpd", 300);

$t->on_cleanup(sub {
    for my $h ($enc1, $enc5, $enc6) {
        eval { $h->{run}->kill_kill(grace => 2) } if $h->{run}->pumpable();
    }
});

###############################################################################
# while they start: a reconnecting encoder resends its last two fragments
# (AMS's rule): the timeline continues as it was, nothing doubled, no
# discontinuity

my $file = $t->testdir . '/resend.ismv';
my $ffout = '';
IPC::Run::run([ 'ffmpeg', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', 12,
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', 60, '-keyint_min', 60,
    '-sc_threshold', 0, '-c:a', 'aac', '-b:a', '64k',
    '-movflags', 'isml+frag_keyframe', '-f', 'ismv', $file ], '<', \undef,
    '>&', \$ffout) or diag($ffout);

my ($head, @frag) = ismv_split($file);
ok(@frag >= 6, 'the file has 6 video fragments or more') or diag(scalar @frag);

# the first 3 fragments; then a new POST with the last 2 of them again
# and the rest

ok(post_fragments('resend', $tok7, $head, @frag[0 .. 2]), 'first POST');

# (an encoder reconnects after a TCP error: what it sent is stored by
# then, in every track: the audio's last fragment can come after the
# video's on a loaded machine)
ok(wait_chunks($loc7, 3, 'all'), 'three fragments stored');

ok(post_fragments('resend', $tok7, $head, @frag[1 .. $#frag]),
    'second POST, resending 2 fragments');
wait_chunks($loc7, scalar @frag, 'all');

my $m7 = $t->get("/$loc7/preview.ism/manifest")->{body};
for my $type ('video', 'audio') {
    my ($x) = $m7 =~ m{(<StreamIndex Type="$type".*?</StreamIndex>)}s;
    my @c = ($x // '') =~ /<c\b([^>]*)>/g;
    is(scalar @c, scalar @frag, "$type: as many fragments as the encoder made")
        or diag($m7);

    # each chunk starts where the one before ends, or within a frame of
    # it (the end of a POST is estimated): nothing doubled, no restart
    my ($end, $bad) = (undef, 0);
    for my $c (@c) {
        my ($ct) = $c =~ /t="(\d+)"/;
        my ($cd) = $c =~ /d="(\d+)"/;
        my $start = $ct // $end;
        $bad++ if defined $end && ($start < $end || $start - $end > 700000);
        $end = $start + $cd;
    }
    is($bad, 0, "$type: one timeline, no overlap, no gap over 70 ms")
        or diag($m7);
}
like($t->read_file('error.log'), qr/"resend" reconnected, its timeline continues/,
    'the reconnect continues the timeline (logged)');

###############################################################################
# bad input, into that event whose encoder is gone: the request ends with
# a log line, nothing stored is lost

my $before = manifest_chunks($loc7);

# a body that stops coming: client_body_timeout (30 s) ends it; looked
# for at the end
my $slow = IO::Socket::INET->new("127.0.0.1:$port") or die "connect: $!";
print $slow "POST /$tok7/ingest.isml/Streams(slow) HTTP/1.1\r\n"
    . "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    . "8\r\n\0\0\0\x10ftyp\r\n";

bad('garbage', "\0\0\0\x08junk" . ("\xff" x 64),
    qr/ingest of "garbage": (malformed|oversized) box/);

bad('early', box('ftyp', 'isml' . "\0" x 4) . box('moof', "\0" x 16)
    . box('mdat', 'x'), qr/ingest of "early": a moof before the moov/, 412);

# (ffmpeg may have sent it all before the server closes: its status is
# not the check)
ismv("$http/$tok7/ingest.isml/Streams(mp4v)", 2, 'mpeg4', 1);
like($t->read_file('error.log'),
    qr/ingest of "mp4v" refused: unsupported video codec "mp4v/,
    '... logged with the codec');

###############################################################################
# H.264 + AAC over HTTP: the manifests

ok(wait_chunks($loc1, 4), 'four fragments stored') or diag(log_tail());

my $smooth = $t->get("/$loc1/preview.ism/manifest");
is($smooth->{status}, 200, 'Smooth manifest');
like($smooth->{body}, qr/<StreamIndex Type="video"[^>]*>\s*<QualityLevel[^>]*FourCC="H264"/,
    'Smooth: H.264 video');
like($smooth->{body}, qr/<StreamIndex Type="audio"[^>]*Language="fra"/,
    'Smooth: audio in French');
my @al = $smooth->{body} =~ /<StreamIndex Type="audio"[^>]*Language="(\w+)"/g;
is_deeply([ sort @al ], [ 'deu', 'fra' ],
    'Smooth: two audio StreamIndexes, French and German');

my $master = $t->get("/$loc1/preview.ism/manifest(format=m3u8-cmaf).m3u8");
my @hl = $master->{body} =~ /#EXT-X-MEDIA:TYPE=AUDIO[^\n]*LANGUAGE="(\w+)"/g;
is_deeply([ sort @hl ], [ 'deu', 'fra' ], 'HLS: EXT-X-MEDIA in both languages')
    or diag($master->{body});
like($master->{body}, qr/#EXT-X-MEDIA:TYPE=AUDIO[^\n]*NAME="[^"]+"/,
    'HLS: the audio renditions are named');

my $mpd = $t->get("/$loc1/preview.ism/manifest(format=mpd-time-cmaf).mpd");
my @dl = $mpd->{body} =~ /<AdaptationSet[^>]*contentType="audio"[^>]*lang="(\w+)"/g;
@dl = $mpd->{body} =~ /<AdaptationSet[^>]*lang="(\w+)"/g unless @dl;
is_deeply([ sort @dl ], [ 'deu', 'fra' ], 'DASH: an AdaptationSet per language')
    or diag($mpd->{body});

my @d = $smooth->{body} =~ /<StreamIndex Type="video".*?<\/StreamIndex>/s
    ? ($& =~ /d="(\d+)"/g) : ();
ok(@d >= 3, 'Smooth: 3 video fragments or more');
is_deeply([ @d[0 .. 2] ], [ (20000000) x 3 ], 'Smooth: fragments of 2 s')
    if @d >= 3;

###############################################################################
# browser players of the H.264 event, started now: hls.js (HLS CMAF) and
# dash.js (DASH CMAF) in headless Chromium (t/browser/play.js) play while
# the checks of the other two go on (each waits for the video's progress,
# up to 120 s; t/050 plays every format)
#
# No browser player for H.265: this Chromium (Debian's, headless, no GPU)
# decodes HEVC only through a platform decoder it does not have here:
# MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"') is
# false (hev1 too): ffprobe and GStreamer below play the H.265 event.

my $why = Sluice::Players::not_ready();
# (the browser players are the normal build's: build.sh leaves the
# player suites out of the sanitizer pass)
$why //= 'a sanitizer build' if $ENV{SLUICE_SANITIZE};

my @players = $why ? () : (
    [ 'hls.js HLS CMAF', qr/^(deu fra|fra deu)$/,
      Sluice::Players::play_start($t, 'hls',
          "$http/$loc1/preview.ism/manifest(format=m3u8-cmaf).m3u8",
          seconds => 6, timeout => 120) ],
    [ 'dash.js DASH CMAF', qr/^(de fr|fr de|deu fra|fra deu)$/,
      Sluice::Players::play_start($t, 'dash',
          "$http/$loc1/preview.ism/manifest(format=mpd-time-cmaf).mpd",
          seconds => 6, timeout => 120) ]);

###############################################################################
# H.265 over HTTPS and CMAF ingest: the manifests

ok(wait_chunks($loc5, 4), 'H.265: four fragments stored') or diag(log_tail());

like($t->get("/$loc5/preview.ism/manifest")->{body},
    qr/FourCC="hvc1"[^>]*CodecPrivateData="000000014001/,
    'Smooth: hvc1, its VPS first in CodecPrivateData');

ok(wait_chunks($loc6, 4), 'CMAF ingest: four fragments stored')
    or diag(log_tail());

my @t6 = ($t->get("/$loc6/preview.ism/manifest")->{body}
          =~ /<StreamIndex Type="video".*?<\/StreamIndex>/s ? ($& =~ /d="(\d+)"/g)
                                                           : ());
is_deeply([ @t6[0 .. 2] ], [ (20000000) x 3 ], 'CMAF ingest: fragments of 2 s');

###############################################################################
# ffprobe of every format of the three, at once

my @probes = (
    (map { [ $loc1, '', @$_ ] }
        [ 'm3u8-cmaf', '.m3u8' ], [ 'mpd-time-cmaf', '.mpd' ],
        [ 'm3u8-aapl', '.m3u8' ]),
    (map { [ $loc5, 'H.265 ', @$_ ] }
        [ 'm3u8-cmaf', '.m3u8' ], [ 'mpd-time-cmaf', '.mpd' ],
        [ 'm3u8-aapl', '.m3u8' ]),
    (map { [ $loc6, 'CMAF ingest ', @$_ ] }
        [ 'm3u8-cmaf', '.m3u8' ], [ 'mpd-time-cmaf', '.mpd' ]));

my @j = probe_many(map {
    "$http/$_->[0]/preview.ism/manifest(format=$_->[2])$_->[3]" } @probes);

for my $p (@probes) {
    my ($loc, $what, $f) = @$p;
    my $j = shift @j;
    my %c = map { ($_->{codec_type} // '') => $_ } @{$j->{streams} // []};
    my $codec = $loc eq $loc5 ? 'hevc' : 'h264';
    is($c{video}{codec_name} // '', $codec,
        "$what$f: " . ($loc eq $loc5 ? 'HEVC' : 'H.264'));
    is($c{video}{width} // 0, 640, "$f: 640 wide") if $loc eq $loc1;
    is($c{audio}{codec_name} // '', 'aac', "$what$f: AAC");
    cmp_ok($c{video}{nb_read_frames} // 0, '>=', 60,
        "$what$f: 2 s of frames or more");
}

ok(encoder_stop($enc6), 'ffmpeg -f dash -method PUT ended well')
    or diag(log_tail());

# a segment on a connection that sent no header: 412, as DASH-IF asks

my $seg = $t->http(PUT => "/$tok6/ingest.isml/chunk-late-00001.m4s",
    body => box('moof', "\0" x 16) . box('mdat', 'x'));
is($seg->{status}, 412, 'a segment without its header: 412');

###############################################################################
# the browser players' results; then GStreamer, 12 s each, beside the
# H.264 and H.265 encoders only: HLS fMP4 (playbin3) and Smooth
# (playbin's mssdemux) of the H.264 event, HLS fMP4 of the H.265 one (a
# fixed time, which GStreamer and Chromium players at once on a loaded
# machine did not always get them started in; t/051 plays every format)

SKIP: {
    skip($why, 8) if $why;

    # the <video>'s currentTime advanced 6 s (audio and video buffered)
    # and its frames were decoded: 30 at least, a second's worth (some
    # 180 on a quiet machine; Chromium at load 45 decoded 89 of them)
    for my $p (@players) {
        my ($name, $langs, $h) = @$p;
        my $r = Sluice::Players::play_finish($h);
        my $json = Sluice::Players::json($r);

        ok($r->{ok}, "$name: plays 6 s") or diag($json);
        is(($r->{width} // 0) . 'x' . ($r->{height} // 0), '640x360',
            "$name: video decoded, 640x360") or diag($json);
        cmp_ok($r->{videoFrames} // 0, '>=', 30,
            "$name: 30 video frames decoded or more ("
            . ($r->{videoFrames} // 'none') . ', '
            . ($r->{droppedFrames} // '?') . ' dropped)') or diag($json);
        like(join(' ', sort @{ ($r->{info} // {})->{audioLanguages} // [] }),
            $langs, "$name: the two audio languages") or diag($json);
    }
}

SKIP: {
    my $m = Sluice::GStreamer::missing();
    skip("$m is missing", 6) if $m;

    my @r = Sluice::GStreamer::play_many([
        [ 'playbin3', "$http/$loc1/preview.ism/manifest(format=m3u8-cmaf)"
                      . '.m3u8', 12 ],
        [ 'playbin', "$http/$loc1/preview.ism/manifest", 12 ],
        [ 'playbin3', "$http/$loc5/preview.ism/manifest(format=m3u8-cmaf)"
                      . '.m3u8', 12 ] ]);

    # (the sinks get decoded frames: their span is the proof; the caps
    # line may come too late to be read on a loaded machine)
    for my $name ('GStreamer HLS fMP4', 'GStreamer Smooth',
                  'GStreamer H.265 HLS fMP4')
    {
        my $g = shift @r;
        ok(!@{$g->{errors}}, "$name: no error")
            or diag(join("\n", @{$g->{errors}}));
        ok($g->{video_span} >= 4 && $g->{audio_span} >= 4,
            "$name: video and audio played 4 s or more")
            or diag("spans $g->{video_span} $g->{audio_span}\n$g->{tail}");
    }
}

ok(encoder_stop($enc1), 'ffmpeg -f ismv over HTTP ended well')
    or diag(log_tail());
ok(encoder_stop($enc5), 'ffmpeg -f ismv of H.265 over HTTPS ended well')
    or diag(log_tail());

###############################################################################
# the bad input's end: the stalled body, what was stored

ok($t->wait_log(qr/ingest of "slow": no data for client_body_timeout/,
    timeout => 90), 'a stalled body times out, logged');
close $slow;

is(manifest_chunks($loc7), $before, 'what was stored stays');

$t->done_testing();

###############################################################################

sub log_tail {
    my $l = $t->read_file('error.log') // '';
    return substr($l, -3000);
}

sub post {
    my ($path, $body) = @_;

    my $r = $t->http(POST => $path, body => $body);
    return $r->{status};
}

sub box {
    my ($type, $payload) = @_;
    return pack('N', 8 + length $payload) . $type . $payload;
}

# a chunked POST of $body; the connection must be closed by the server

sub bad {
    my ($name, $body, $re, $status) = @_;

    $status //= 400;

    my $s = IO::Socket::INET->new("127.0.0.1:$port") or die "connect: $!";
    print $s "POST /$tok7/ingest.isml/Streams($name) HTTP/1.1\r\n"
        . "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        . sprintf("%x\r\n", length $body) . $body . "\r\n";

    my $got = '';
    local $SIG{ALRM} = sub { die "timeout\n" };
    my $closed = eval {
        alarm(15);
        1 while sysread($s, $got, 4096, length $got);
        alarm(0);
        1;
    };
    close $s;

    ok($closed, "$name: connection closed by the server");
    like($got, qr{^HTTP/1\.1 $status}, "$name: $status");
    like($t->read_file('error.log'), $re, "$name: logged");
}

sub ismv {
    my ($url, $seconds, $codec, $quiet) = @_;

    my $h = ismv_start($url, $seconds, $codec);
    return ismv_finish($h, $quiet);
}

sub ismv_finish {
    my ($h, $quiet) = @_;

    my $ok = eval { $h->{run}->finish };
    diag("ffmpeg: " . ($t->read_file($h->{log}) // '') . " $@")
        if !$ok && !$quiet;
    return $ok;
}

# 'q' on an encoder's stdin: ffmpeg stops reading its inputs, flushes its
# encoders and ends its output as at the end of its -t (exit status 0)

sub encoder_stop {
    my ($h) = @_;

    # (an encoder that died early closed its stdin: no SIGPIPE here)
    local $SIG{PIPE} = 'IGNORE';

    ${$h->{in}} .= 'q';
    return ismv_finish($h);
}

# an ismv file: (ftyp + manifest + moov, then each video fragment with
# the audio that follows it, as ffmpeg writes them: moof + mdat pairs)

sub ismv_split {
    my ($path) = @_;

    open my $fh, '<:raw', $path or return;
    local $/;
    my $d = <$fh>;

    my ($head, $pos, $vtrack, @frag) = ('', 0);

    while ($pos + 8 <= length $d) {
        my ($size, $type) = unpack('Na4', substr($d, $pos, 8));
        last if $size < 8;
        my $box = substr($d, $pos, $size);
        $pos += $size;

        if ($type eq 'moof') {
            # track_ID of its tfhd: the first track seen is the video's
            my $i = index($box, 'tfhd');
            my $id = unpack('N', substr($box, $i + 8, 4));
            $vtrack //= $id;
            push @frag, '' if $id == $vtrack;
            $frag[-1] .= $box;
        } elsif ($type eq 'mdat') {
            $frag[-1] .= $box if @frag;
        } elsif ($type ne 'mfra') {
            $head .= $box;
        }
    }

    return ($head, @frag);
}

# one chunked POST of the header and fragments, each fragment as a chunk;
# true when answered 200

sub post_fragments {
    my ($name, $tok, @parts) = @_;

    my $s = IO::Socket::INET->new("127.0.0.1:$port") or return;
    print $s "POST /$tok/ingest.isml/Streams($name) HTTP/1.1\r\n"
        . "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    print $s sprintf("%x\r\n", length $_), $_, "\r\n" for @parts;
    print $s "0\r\n\r\n";

    my $got = '';
    local $SIG{ALRM} = sub { die "timeout\n" };
    eval {
        alarm(20);
        while ($got !~ /\r\n\r\n/) {
            sysread($s, $got, 4096, length $got) or last;
        }
        alarm(0);
    };
    close $s;

    return $got =~ m{^HTTP/1\.1 200};
}

sub dash_start {
    my ($url, $seconds) = @_;

    my @cmd = ('ffmpeg', '-hide_banner', '-loglevel', 'error',
        '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
        '-t', $seconds, '-c:v', 'libx264', '-preset', 'veryfast', '-g', 60,
        '-keyint_min', 60, '-sc_threshold', 0, '-b:v', '800k',
        '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-ac', 2,
        '-f', 'dash', '-method', 'PUT', '-http_persistent', 1,
        '-seg_duration', 2, '-use_template', 1, '-use_timeline', 0,
        '-streaming', 1, $url);

    return encoder_start(\@cmd, $seconds);
}

sub ismv_start {
    my ($url, $seconds, $codec, $two_audio) = @_;

    my @v = $codec eq 'libx265'
        ? ('-c:v', 'libx265', '-tag:v', 'hvc1', '-preset', 'ultrafast',
           '-x265-params', 'keyint=60:min-keyint=60:scenecut=0:log-level=1')
        : $codec eq 'mpeg4' ? ('-c:v', 'mpeg4')
        : ('-c:v', 'libx264', '-preset', 'veryfast', '-g', 60,
           '-keyint_min', 60, '-sc_threshold', 0);

    # a second audio track in German: a stream of its own
    my @a2 = $two_audio
        ? ('-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000')
        : ();
    my @map = $two_audio
        ? ('-map', '0:v', '-map', '1:a', '-map', '2:a',
           '-metadata:s:a:1', 'language=deu', '-b:a:1', '64k')
        : ();

    my @cmd = ('ffmpeg', '-hide_banner', '-loglevel', 'error',
        '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', @a2,
        '-t', $seconds, @map, @v, '-b:v', '800k', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '96k', '-ac', 2,
        '-metadata:s:a:0', 'language=fra',
        '-movflags', 'isml+frag_keyframe+delay_moov', '-f', 'ismv', $url);

    return encoder_start(\@cmd, $seconds);
}

# an encoder of at most $seconds, its stdin a pipe (encoder_stop), its
# output in a file of the test directory

sub encoder_start {
    my ($cmd, $seconds) = @_;

    state $n = 0;
    my $in = '';
    my $log = $t->testdir . '/encoder-' . ++$n . '.log';
    my $run = IPC::Run::start($cmd, '<', \$in, '>&', $log,
        IPC::Run::timeout($seconds + 60));
    return { run => $run, in => \$in, log => $log };
}

# ffprobe of each URL, all at once: their JSON, in the URLs' order

sub probe_many {
    my (@urls) = @_;

    my @p;
    for my $url (@urls) {
        my ($out, $err) = ('', '');
        my $h = IPC::Run::start(['ffprobe', '-v', 'error', '-of', 'json',
            '-count_frames', '-read_intervals', '%+3', '-show_streams',
            $url ],
            '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
        push @p, { url => $url, h => $h, out => \$out, err => \$err };
    }

    my @j;
    for my $p (@p) {
        eval { $p->{h}->finish } or eval { $p->{h}->kill_kill(grace => 1) };
        my $j = eval { JSON::PP->new->decode(${$p->{out}}) };
        diag("ffprobe $p->{url}: ${$p->{err}}")
            unless $j && @{$j->{streams} // []};
        push @j, $j // {};
    }

    return @j;
}

# $n fragments or more in the video StreamIndex, or in every one ($all)

sub wait_chunks {
    my ($loc, $n, $all) = @_;

    return $t->wait_for(sub {
        my $r = $t->get("/$loc/preview.ism/manifest");
        my @si = ($r->{body} // '')
            =~ m{(<StreamIndex Type="\w+".*?</StreamIndex>)}sg;
        @si = grep { /^<StreamIndex Type="video"/ } @si unless $all;
        return 0 unless @si;
        for my $x (@si) {
            my @c = $x =~ /<c\b/g;
            return 0 if @c < $n;
        }
        return 1;
    }, timeout => 90, what => "$n fragments");
}

sub manifest_chunks {
    my ($loc) = @_;

    my $r = $t->get("/$loc/preview.ism/manifest");
    my @c = $r->{body} =~ /<c\b/g;
    return scalar @c;
}
