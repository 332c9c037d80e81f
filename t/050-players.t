#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Real web players in headless Chromium play the preview of a live event
# (three renditions): hls.js plays HLS with TS (audio group and muxed) and
# fMP4 segments, dash.js and Shaka Player play DASH (CSF and CMAF), Shaka
# plays HLS fMP4, dash.js plays Smooth Streaming, and hls.js plays over
# HTTPS.  Each run must advance the video's currentTime by 6 s without a
# fatal player error.  The same players play a streaming locator of a
# live output (cloud DVR), then the recorded asset as video on demand
# (t/browser/play.js; the page has another origin than the server, so
# CORS is exercised too).  Playing across an encoder reconnect is
# t/053's.
#
# The players of a group are independent of each other (each its own
# Chromium, its own checks): they run three at a time
# (Sluice::Players::play_many).
#
# Needs chromium and the npm packages of t/browser: `npm ci --prefix
# t/browser` (./build.sh does it); skipped otherwise.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

$t->write_sluice_conf(
    http => 'sluice_transition_time 0s;',
    server => <<'EOF',
listen 127.0.0.1:%%PORT_8443%% ssl;
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;
EOF
    location => "sluice_live_window 60s;\naio threads=sluice;");

my @ladder = Sluice::Ingest::fixture('ladder', duration => 10, gop => 2);

$t->run();

my $token = 'c0ffeec0ffeec0ffeec0ffeec0ffee00';
my $loc = $t->create_preview_event('players1', $token);
ok($loc, 'live event running with a preview locator')
    or diag('no live event: ' . ($t->read_file('error.log') // ''));
unless ($loc) {
    $t->done_testing();
    exit;
}

my $base = "/$loc/preview.ism";
my $http = 'http://127.0.0.1:' . $t->port(8080) . $base;
my $https = 'https://127.0.0.1:' . $t->port(8443) . $base;

my $pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                   . "/live/$token/stream$_" } 1 .. 3 ]);

# players start a few fragments behind the live edge: wait for 5

my $ready = Sluice::Playback::wait_fragments($t, "$base/manifest", 5);

ok($ready, 'fragments available') or diag($t->read_file('error.log'));

# the production path: a live output records into an asset, a streaming
# locator publishes it through the default streaming endpoint (cloud DVR
# while recording, video on demand once the output is deleted); it
# records from here on, while the preview is played

ok(Sluice::Playback::start_endpoint($t, 'default'),
   'default streaming endpoint running');
my $paths = Sluice::Playback::record($t, 'players1', 'o1', 'a1', 'loc1',
    archiveWindowLength => 'PT10M', manifestName => 'show');
my ($lsmooth) = @{$paths->{SmoothStreaming} // []};
my ($lbase) = ($lsmooth // '') =~ m{^(/[^/]+/show\.ism)/manifest$};
ok($lbase, 'streaming locator paths') or diag(explain($paths));
$lbase //= '/none/show.ism';
my $lhttp = 'http://127.0.0.1:' . $t->port(8080) . $lbase;

my @cases = (
    [ 'hls.js HLS TS',          'hls',   "$http/manifest(format=m3u8-aapl).m3u8", 3 ],
    [ 'hls.js HLS TS v3',       'hls',   "$http/manifest(format=m3u8-aapl-v3).m3u8", 3 ],
    [ 'hls.js HLS fMP4',        'hls',   "$http/manifest(format=m3u8-cmaf).m3u8", 3 ],
    [ 'dash.js DASH CMAF',      'dash',  "$http/manifest(format=mpd-time-cmaf).mpd", 3 ],
    [ 'dash.js DASH CSF',       'dash',  "$http/manifest(format=mpd-time-csf).mpd", 3 ],
    [ 'Shaka DASH CMAF',        'shaka', "$http/manifest(format=mpd-time-cmaf).mpd", 3 ],
    [ 'Shaka HLS fMP4',         'shaka', "$http/manifest(format=m3u8-cmaf).m3u8", 3 ],
    [ 'dash.js Smooth',         'mss',   "$http/manifest", 0 ],
    [ 'hls.js HLS fMP4 HTTPS',  'hls',   "$https/manifest(format=m3u8-cmaf).m3u8", 3 ],
);

my @results = Sluice::Players::play_many($t,
    [ map { [ $_->[1], $_->[2] ] } @cases ]);

for my $c (@cases) {
    my ($name, $player, $url, $levels) = @$c;
    my $r = shift @results;

    ok($r->{ok}, "$name: plays 6 s")
        or diag(JSON::PP->new->canonical->encode($r));
    ok(($r->{width} // 0) > 0 && ($r->{height} // 0) > 0,
       "$name: video decoded (" . ($r->{width} // 0) . 'x'
       . ($r->{height} // 0) . ')');
    if ($levels) {
        # Shaka lists video x audio variants: count distinct heights
        my %h = map { (($_->{height} // 0) => 1) }
            @{$r->{info}{levels} // []};
        is(scalar keys %h, $levels, "$name: $levels video renditions")
            or diag(explain($r->{info}));
    }
}

# cloud DVR: the streaming locator of the recording

$ready = Sluice::Playback::wait_fragments($t, "$lbase/manifest", 5);
ok($ready, 'recording has 5 fragments') or diag($t->get("$lbase/manifest"));

my @dvr = (
    [ 'DVR hls.js HLS TS',   'hls',   "$lhttp/manifest(format=m3u8-aapl).m3u8" ],
    [ 'DVR hls.js HLS fMP4', 'hls',   "$lhttp/manifest(format=m3u8-cmaf).m3u8" ],
    [ 'DVR dash.js DASH',    'dash',  "$lhttp/manifest(format=mpd-time-cmaf).mpd" ],
    [ 'DVR Shaka DASH CSF',  'shaka', "$lhttp/manifest(format=mpd-time-csf).mpd" ],
    [ 'DVR dash.js Smooth',  'mss',   "$lhttp/manifest" ],
);

@results = Sluice::Players::play_many($t,
    [ map { [ $_->[1], $_->[2] ] } @dvr ]);

for my $c (@dvr) {
    my ($name, $player, $url) = @$c;
    my $r = shift @results;

    ok($r->{ok}, "$name: plays 6 s")
        or diag(JSON::PP->new->canonical->encode($r));
}

# the recording becomes video on demand: players start at its beginning

my $r = $t->api(DELETE => 'liveEvents/players1/liveOutputs/o1');
ok($r->{status} == 200 || $r->{status} == 202, 'live output deleted');
$t->wait_for(sub {
    $t->api(GET => 'liveEvents/players1/liveOutputs/o1')->{status} == 404
}, 20);

$r = $t->get("$lbase/manifest(format=m3u8-cmaf).m3u8");
ok($r->{status} == 200 && $r->{body} =~ /#EXT-X-PLAYLIST-TYPE:VOD|#EXT-X-STREAM-INF/,
   'asset manifest after the output is deleted');

# dash.js turns a VOD Smooth manifest whose first fragment is not at 0
# into DASH by subtracting the smallest first @t of all stream indexes,
# whatever their TimeScale: with per-stream time scales (video 90 kHz,
# audio 48 kHz) instead of AMS's 10 MHz everywhere, the offset is wrong for
# one of them and playback stalls before the buffered range.

my @vod = (
    [ 'VOD hls.js HLS TS',   'hls',   "$lhttp/manifest(format=m3u8-aapl).m3u8" ],
    [ 'VOD dash.js DASH',    'dash',  "$lhttp/manifest(format=mpd-time-cmaf).mpd" ],
    [ 'VOD Shaka HLS fMP4',  'shaka', "$lhttp/manifest(format=m3u8-cmaf).m3u8" ],
    [ 'VOD dash.js Smooth',  'mss',   "$lhttp/manifest" ],
);

@results = Sluice::Players::play_many($t,
    [ map { [ $_->[1], $_->[2] ] } @vod ]);

for my $c (@vod) {
    my ($name, $player, $url) = @$c;
    my $v = shift @results;

    # a player that stalled at its start on a loaded machine gets one more
    # try (seen once with Shaka on HLS fMP4; and hls.js, at load 28, once
    # began a VOD 4 s in); both failing fails the test
    my $at = ($v->{seekable} // [])->[0] // [ 0 ];
    unless ($v->{ok} && defined $v->{startTime}
            && $v->{startTime} - $at->[0] < 2)
    {
        note("$name: retry after " . JSON::PP->new->canonical->encode($v));
        $v = play($player, $url);
    }

    ok($v->{ok}, "$name: plays 6 s")
        or diag(JSON::PP->new->canonical->encode($v));
    my $first = ($v->{seekable} // [])->[0] // [ 0 ];
    ok(defined $v->{startTime} && $v->{startTime} - $first->[0] < 2,
       "$name: starts at the beginning")
        or diag("start " . ($v->{startTime} // 'none') . ", seekable "
                . JSON::PP->new->encode($v->{seekable} // []));
    ok(($v->{duration} // '') =~ /^[\d.]+$/ && $v->{duration} >= 20,
       "$name: finite duration of the recording ($v->{duration})");
}

$t->stop_publisher($pub);

$t->done_testing();


###############################################################################

sub play {
    return Sluice::Players::play($t, @_);
}
