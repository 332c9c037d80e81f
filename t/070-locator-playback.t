#!/usr/bin/perl

# Playback through streaming locators (cloud DVR): a live event recorded
# by a live output into an asset, published by a streaming locator; the
# paths of listPaths in every format (Smooth, HLS m3u8-aapl,
# m3u8-aapl-v3, m3u8-cmaf, DASH mpd-time-csf, mpd-time-cmaf) checked with
# ffprobe; segments of every kind; errors: unknown locator, other
# manifest name, locator not yet valid or expired, a policy without the
# protocol.

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

my $token = '0123456789abcdef0123456789abcdef';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $ev = $t->create_live_event('ev1', token => $token);
ok($ev, 'ev1 running') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
    archiveWindowLength => 'PT10M', manifestName => 'show');

ok($paths->{Hls} && $paths->{Dash} && $paths->{SmoothStreaming},
    'listPaths: Hls, Dash, SmoothStreaming');

my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($hls) = grep { /m3u8-aapl\)/ } @{ $paths->{Hls} // [] };
my ($id, $base) = ($smooth // '') =~ m{^/([^/]+)(/show\.ism)/manifest$};
ok($id, 'Smooth path: /{id}/show.ism/manifest') or BAIL_OUT('no paths');
$base = "/$id/show.ism";

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

my $r = Sluice::Playback::wait_media($t, $smooth, 40);
ok($r, 'recording: the Smooth manifest of the locator answers 200')
    or diag($t->get($smooth)->{body});

# a few fragments
ok(Sluice::Playback::wait_fragments($t, $smooth, 4), 'four fragments recorded');

$r = $t->get($smooth);
like($r->{body}, qr/<SmoothStreamingMedia\b[^>]*IsLive="TRUE"/,
    'smooth: live while recording');
like($r->{body}, qr/DVRWindowLength="6000000000"/,
    'smooth: DVR window = archive window (10 min)');
like($r->{headers}{'cache-control'} // '', qr/max-age=1\b/,
    'live manifest: short max-age');

# every format through ffprobe

for my $f (qw(m3u8-aapl m3u8-aapl-v3 m3u8-cmaf mpd-time-csf mpd-time-cmaf)) {
    my $ext = $f =~ /^m3u8/ ? '.m3u8' : '.mpd';
    my $path = "$base/manifest(format=$f)$ext";

    $r = $t->get($path);
    is($r->{status}, 200, "$f: 200");

    my ($j, $err) = Sluice::Playback::ffprobe($t, $path);
    my @s = $j ? @{ $j->{streams} // [] } : ();
    ok((grep { ($_->{codec_name} // '') eq 'h264' && $_->{width} == 640 } @s),
        "$f: h264 640 wide") or diag($err);
    ok((grep { ($_->{codec_name} // '') eq 'aac' } @s), "$f: aac");
    is($err, '', "$f: ffprobe says nothing");
}

# Smooth (ffprobe has no Smooth demuxer): both stream indexes
$r = $t->get($smooth);
like($r->{body}, qr/<StreamIndex\b[^>]*Type="video".*<QualityLevel\b[^>]*MaxWidth="640"/s,
    'smooth: video quality level');
like($r->{body}, qr/<StreamIndex\b[^>]*Type="audio"/, 'smooth: audio');

# HLS playlists and segments

$r = $t->get($hls);
my ($vpl) = $r->{body} =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
ok($vpl, 'master: video playlist');
my ($vdir) = ($vpl // '') =~ m{^(QualityLevels\(\d+\))/};

$r = $t->get("$base/$vpl");
is($r->{status}, 200, 'media playlist: 200');
unlike($r->{body}, qr/#EXT-X-ENDLIST/, 'media playlist: live, no ENDLIST');
my @segs = Sluice::Playback::segments($r->{body});
ok(@segs >= 3, 'media playlist: segments') or diag($r->{body});

my $seg = $segs[0][0] // 'none';
$r = $t->get("$base/$vdir/$seg");
is($r->{status}, 200, 'TS segment: 200');
is(substr($r->{body}, 0, 1), "\x47", 'TS segment: sync byte');
like($r->{headers}{'cache-control'} // '', qr/max-age=31536000.*immutable/,
    'TS segment: immutable');

(my $v3 = $seg) =~ s/format=m3u8-aapl/format=m3u8-aapl-v3/;
my $v3r = $t->get("$base/$vdir/$v3");
ok($v3r->{status} == 200 && length($v3r->{body}) > length($r->{body}),
    'TS v3 segment: audio muxed in');

(my $cseg = $seg) =~ s/format=m3u8-aapl\)\.ts/format=m3u8-cmaf).m4s/;
$r = $t->get("$base/$vdir/$cseg");
is($r->{status}, 200, 'CMAF segment: 200');
like($r->{body}, qr/^....(styp|moof)/s, 'CMAF segment: fMP4');
ok($r->{headers}{etag} && $r->{headers}{'last-modified'},
    'CMAF segment: ETag, Last-Modified (sent from the file)');

(my $init = $cseg) =~ s/video=\d+(.*)\.m4s$/video=i$1.mp4/;
$r = $t->get("$base/$vdir/$init");
like($r->{body}, qr/^....ftyp.*moov/s, 'init segment');

# Smooth fragment: its time as the Smooth manifest gives it
my ($svi) = $t->get($smooth)->{body} =~
    m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
my ($t0) = ($svi // '') =~ /<c\b[^>]*\bt="(\d+)"/;
my ($sbr) = ($svi // '') =~ /<QualityLevel\b[^>]*Bitrate="(\d+)"/;
$r = $t->get("$base/QualityLevels(" . ($sbr // 0) . ")/Fragments(video="
    . ($t0 // 'x') . ")");
is($r->{status}, 200, 'Smooth fragment: 200');
is(substr($r->{body}, 4, 4), 'moof', 'Smooth fragment: moof');

# errors

is($t->get('/00000000-0000-0000-0000-000000000000/show.ism/manifest')
    ->{status}, 404, 'unknown locator: 404');
is($t->get("/$id/other.ism/manifest")->{status}, 404,
    'another manifest name: 404');
is($t->get(uc("/$id") . '/SHOW.ism/manifest')->{status}, 200,
    'locator id and manifest name are case-insensitive');
is($t->get("$base/$vdir/Fragments(video=1,format=m3u8-cmaf)")->{status},
    404, 'unknown fragment time: 404');
is($t->get("$base/QualityLevels(7)/Manifest(video,format=m3u8-aapl)")
    ->{status}, 404, 'unknown bitrate: 404');

Sluice::Playback::locator($t, 'later', 'a1', undef,
    startTime => '2099-01-01T00:00:00Z');
my $later = Sluice::Playback::paths($t, 'later')->{SmoothStreaming}[0] // '';
$r = $t->get($later);
is($r->{status}, 404, 'locator before its startTime: 404');
like($r->{body}, qr/not active/, 'locator before its startTime: reason');

Sluice::Playback::locator($t, 'expired', 'a1', undef,
    startTime => '2020-01-01T00:00:00Z', endTime => '2020-01-02T00:00:00Z');
my $exp = Sluice::Playback::paths($t, 'expired')->{SmoothStreaming}[0] // '';
is($t->get($exp)->{status}, 404, 'locator after its endTime: 404');

$r = $t->api(PUT => 'streamingPolicies/hlsOnly', { properties => {
    noEncryption => { enabledProtocols => { download => JSON::PP::false,
        dash => JSON::PP::false, hls => JSON::PP::true,
        smoothStreaming => JSON::PP::false } } } });
is($r->{status}, 201, 'policy hlsOnly');
my $hp = Sluice::Playback::locator($t, 'hlsonly', 'a1', 'hlsOnly');
ok($hp->{Hls} && !$hp->{Dash}, 'hlsOnly: HLS paths only');
my ($hid) = ($hp->{Hls}[0] // '') =~ m{^/([^/]+)/};
is($t->get("/$hid/show.ism/manifest(format=m3u8-cmaf)")->{status}, 200,
    'hlsOnly: HLS 200');
is($t->get("/$hid/show.ism/manifest(format=mpd-time-cmaf)")->{status}, 404,
    'hlsOnly: DASH 404');
is($t->get("/$hid/show.ism/manifest")->{status}, 404, 'hlsOnly: Smooth 404');
is($t->get("/$hid/show.ism/$vdir/$cseg")->{status}, 200,
    'hlsOnly: CMAF segment through HLS 200');
(my $dseg = $cseg) =~ s/m3u8-cmaf/mpd-time-cmaf/;
is($t->get("/$hid/show.ism/$vdir/$dseg")->{status}, 404,
    'hlsOnly: DASH segment 404');

# an asset that was never recorded has no manifest name

$t->api(PUT => 'assets/empty', { properties => {} });
Sluice::Playback::locator($t, 'emptyloc', 'empty');
my $eid = $t->api(GET => 'streamingLocators/emptyloc')
    ->{json}{properties}{streamingLocatorId} // 'x';
is($t->get("/$eid/show.ism/manifest")->{status}, 404,
    'asset never recorded: 404');

# the preview is not governed by streaming endpoints

my $pl = $ev->{properties}{preview}{previewLocator};
Sluice::Playback::stop_endpoint($t, 'default');
is($t->get("/$pl/preview.ism/manifest")->{status}, 200,
    'preview plays with the endpoint stopped');
is($t->get($smooth)->{status}, 404, 'locator: endpoint stopped, 404');

$t->stop_publisher($pub);

$t->done_testing();
