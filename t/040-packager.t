#!/usr/bin/perl

# Packaging on request (sluice_packager): a live event with three
# renditions published over RTMP, then every format of the preview
# endpoint: Smooth, HLS (m3u8-aapl, m3u8-aapl-v3, m3u8-cmaf) and DASH
# (mpd-time-csf, mpd-time-cmaf) checked with ffprobe; HTTP headers
# (types, caching, CORS, HEAD, Range), errors (400, 403, 404, 405), a
# publisher reconnect (discontinuity) and two workers serving.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(
    http => q{log_format pid '$pid $status "$request"';},
    listen => ' reuseport',
    location => 'sluice_live_window 30s;',
    server => <<'EOF');
access_log %%TESTDIR%%/pid.log pid;

location /threads/ {
    rewrite ^/threads(/.*)$ $1 break;
    aio threads=sluice;
    sluice_packager;
}
EOF

$t->run();

my $token = '0123456789abcdef0123456789abcdef';

# event ev1: running, preview open to everyone

my $loc = create_event('ev1', $token,
    [ { name => 'all', address => '0.0.0.0', subnetPrefixLength => 0 } ]);

ok($loc, 'ev1 running with a preview locator') or BAIL_OUT('no event');

my $base = "/$loc/preview.ism";

my @ladder = Sluice::Ingest::fixture('ladder', duration => 8, gop => 2);
my $pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { rtmp_url("$token/stream$_") } 1 .. 3 ]);

my $smooth = $t->wait_for(sub {
    my $r = $t->get("$base/manifest");
    return unless $r->{status} == 200;
    # the three renditions' video (the publishers connect one by one)
    my ($v) = $r->{body}
        =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
    my @v = ($v // '') =~ /<QualityLevel\b/g;
    return @v >= 3 ? $r : undef;
}, 30);

ok($smooth, 'Smooth manifest with all renditions') or diag_log();

# a few fragments in every track (the first one's tfrf announces two)
ok(Sluice::Playback::wait_fragments($t, "$base/manifest", 4),
   'four fragments');

# Smooth manifest

my $r = $t->get("$base/manifest");
is($r->{status}, 200, 'smooth: 200');
like($r->{headers}{'content-type'}, qr{^text/xml}, 'smooth: text/xml');
like($r->{body}, qr/<SmoothStreamingMedia\b[^>]*IsLive="TRUE"/i,
    'smooth: live');
my ($vindex) = $r->{body} =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
my ($aindex) = $r->{body} =~ m{(<StreamIndex\b[^>]*Type="audio".*?</StreamIndex>)}s;
ok($vindex && $aindex, 'smooth: video and audio stream indexes');
my @vq = ($vindex // '') =~ /<QualityLevel\b/g;
is(scalar @vq, 3, 'smooth: three video quality levels');
like($vindex // '', qr/MaxWidth="1280"/, 'smooth: 1280 wide');
like($vindex // '', qr/CodecPrivateData="000000016/i,
    'smooth: video CodecPrivateData (Annex B SPS)');

like($r->{headers}{'cache-control'} // '', qr/max-age=1\b/,
    'manifest: max-age half a fragment');
is($r->{headers}{'access-control-allow-origin'}, '*', 'manifest: CORS');
like($r->{headers}{'access-control-expose-headers'} // '', qr/Content-Range/,
    'manifest: CORS expose headers');

# Smooth fragment: first video fragment time and bitrate from the manifest

my ($vbr) = ($vindex // '') =~ /<QualityLevel\b[^>]*Bitrate="(\d+)"/;
my ($vurl) = ($vindex // '') =~ /Url="([^"]+)"/;
my ($t0) = ($vindex // '') =~ /<c\b[^>]*t="(\d+)"/;

ok(defined $vbr && defined $t0 && defined $vurl, 'smooth: url template');

if (defined $vurl) {
    (my $u = $vurl) =~ s/\{bitrate\}/$vbr/i;
    $u =~ s/\{start time\}/$t0/i;
    $r = $t->get("$base/$u");
    is($r->{status}, 200, 'smooth fragment: 200');
    like($r->{headers}{'content-type'}, qr{^video/mp4}, 'smooth fragment: type');
    is(substr($r->{body}, 4, 4), 'moof', 'smooth fragment: starts with moof');
    ok(index($r->{body}, pack('H*', '6d1d9b0542d544e680e2141daff757b2')) > 0,
        'smooth fragment: tfxd');
    my $at = index($r->{body}, pack('H*', 'd4807ef2ca3946958e5426cb9e46a79f'));
    ok($at > 0, 'smooth fragment: tfrf');
    is(unpack('C', substr($r->{body}, $at + 20, 1)), 2,
        'smooth fragment: tfrf announces two fragments');
    my ($n1) = unpack('Q>', substr($r->{body}, $at + 21, 8));
    my ($d0) = ($vindex // '') =~ /<c\b[^>]*d="(\d+)"/;
    is($n1, $t0 + $d0, 'smooth fragment: tfrf time of the next fragment');
    like($r->{headers}{'cache-control'} // '', qr/max-age=31536000.*immutable/,
        'smooth fragment: immutable');
    smooth_times($r->{body}, $t0, $d0, 'smooth video fragment');

} else {
    fail("smooth fragment $_") for 1 .. 11;
}

# the newest fragment of the live manifest: its request waits for the
# fragment after it, which its tfrf announces (dash.js's Smooth player
# goes on from tfrf entries only); the connection stays open meanwhile

{
    $r = $t->get("$base/manifest");
    my ($v) = $r->{body} =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
    my ($last, $d, $now) = (undef, undef, 0);
    while (($v // '') =~ m{<c\b([^>]*)/?>}g) {
        my $c = $1;
        $now = $1 if $c =~ /\bt="(\d+)"/;
        ($d) = $c =~ /\bd="(\d+)"/;
        for (0 .. ($c =~ /\br="(\d+)"/ ? $1 : 0)) {
            $last = $now;
            $now += $d;
        }
    }
    my ($u) = ($v // '') =~ /Url="([^"]+)"/;
    my ($br) = ($v // '') =~ /<QualityLevel\b[^>]*Bitrate="(\d+)"/;
    if (defined $last && defined $u) {
        $u =~ s/\{bitrate\}/$br/i;
        $u =~ s/\{start time\}/$last/i;
        my $x = $t->get("$base/$u");
        is($x->{status}, 200, 'newest smooth fragment: 200');
        my $at = index($x->{body},
                       pack('H*', 'd4807ef2ca3946958e5426cb9e46a79f'));
        my $n = $at > 0 ? unpack('C', substr($x->{body}, $at + 20, 1)) : 0;
        ok($n >= 1, "newest smooth fragment: tfrf announces $n (>= 1)");
        my ($n1) = $n ? unpack('Q>', substr($x->{body}, $at + 21, 8)) : 0;
        is($n1, $last + $d, 'newest smooth fragment: the one after it');
        like($x->{headers}{'cache-control'} // '', qr/max-age=1\b/,
            'newest smooth fragment: short-lived until two follow');
    } else {
        fail("newest smooth fragment $_") for 1 .. 4;
    }
}

# every stream in 100 ns units, as AMS writes it: one TimeScale, and the
# audio fragment named by its (rescaled) manifest time carries those times

{
    $r = $t->get("$base/manifest");
    my @ts = ($r->{body} =~ /TimeScale="(\d+)"/g);
    is("@ts", '10000000', 'smooth: one TimeScale, 10000000');
    my ($aurl) = ($aindex // '') =~ /Url="([^"]+)"/;
    my ($abr) = ($aindex // '') =~ /<QualityLevel\b[^>]*Bitrate="(\d+)"/;
    my ($a0) = ($aindex // '') =~ /<c\b[^>]*t="(\d+)"/;
    my ($ad) = ($aindex // '') =~ /<c\b[^>]*d="(\d+)"/;
    if (defined $aurl && defined $a0) {
        (my $u = $aurl) =~ s/\{bitrate\}/$abr/i;
        $u =~ s/\{start time\}/$a0/i;
        my $x = $t->get("$base/$u");
        is($x->{status}, 200, 'smooth audio fragment: 200');
        smooth_times($x->{body}, $a0, $ad, 'smooth audio fragment');
        # about 2 s of audio, in 100 ns
        ok($ad > 15_000_000 && $ad < 25_000_000,
            "smooth audio: chunk duration $ad in 100 ns");
        $x = $t->get("$base/" . ($u =~ s/=$a0\)/'=' . ($a0 + 1) . ')'/er));
        is($x->{status}, 404, 'smooth audio fragment: other time 404');
    } else {
        fail("smooth audio fragment $_") for 1 .. 7;
    }
}

# every HLS and DASH format through ffprobe

for my $f (qw(m3u8-aapl m3u8-aapl-v3 m3u8-cmaf mpd-time-csf mpd-time-cmaf)) {
    my $ext = $f =~ /^m3u8/ ? '.m3u8' : '.mpd';
    my $url = "http://127.0.0.1:" . $t->port(8080)
        . "$base/manifest(format=$f)$ext";

    $r = $t->get("$base/manifest(format=$f)$ext");
    is($r->{status}, 200, "$f: 200");
    like($r->{headers}{'content-type'} // '',
        $f =~ /^m3u8/ ? qr{^application/vnd\.apple\.mpegurl}
                      : qr{^application/dash\+xml}, "$f: content type");

    my ($out, $err) = ffprobe($url);
    my $j = eval { JSON::PP::decode_json($out) };
    my @s = $j ? @{ $j->{streams} // [] } : ();
    my %w = map { ($_->{width} // 0) => 1 }
        grep { ($_->{codec_name} // '') eq 'h264' } @s;
    my @a = grep { ($_->{codec_name} // '') eq 'aac' } @s;

    ok($w{1280} && $w{960} && $w{640}, "$f: three h264 renditions")
        or diag("ffprobe $url: $err\n" . ($out // ''));
    ok(@a >= 1, "$f: aac audio");
    is($err, '', "$f: ffprobe -v error says nothing");
}

# HLS media playlists and segments

$r = $t->get("$base/manifest(format=m3u8-aapl)");
my ($vpl) = $r->{body} =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
my ($apl) = $r->{body} =~ m{URI="(QualityLevels\(\d+\)/Manifest\(audio[^"]*)"};
ok($vpl && $apl, 'm3u8-aapl: video and audio playlist URIs');

$r = $t->get("$base/$vpl");
is($r->{status}, 200, 'media playlist: 200');
like($r->{body}, qr/#EXT-X-TARGETDURATION:\d+/, 'media playlist: target');
my ($vdir) = $vpl =~ m{^(QualityLevels\(\d+\))/};
my ($seg) = $r->{body} =~ m{^(Fragments\(video=\d+[^\n]*)$}m;
ok($seg, 'media playlist: segment URI');

$r = $t->get("$base/$vdir/$seg");
is($r->{status}, 200, 'TS segment: 200');
like($r->{headers}{'content-type'}, qr{^video/mp2t}, 'TS segment: type');
is(length($r->{body}) % 188, 0, 'TS segment: whole packets');
is(substr($r->{body}, 0, 1), "\x47", 'TS segment: sync byte');
is($r->{headers}{'content-length'}, length($r->{body}),
    'TS segment: Content-Length');

my $ts = $r->{body};

# the same TS through a thread pool read

$r = $t->get("/threads$base/$vdir/$seg");
is($r->{status}, 200, 'TS via aio threads: 200');
ok($r->{body} eq $ts, 'TS via aio threads: same bytes');

# two files read by threads (video and audio of m3u8-aapl-v3)
(my $v3seg = $seg) =~ s/format=m3u8-aapl/format=m3u8-aapl-v3/;
my $v3 = $t->get("$base/$vdir/$v3seg");
$r = $t->get("/threads$base/$vdir/$v3seg");
is($r->{status}, 200, 'TS v3 via aio threads: 200');
ok($r->{body} eq $v3->{body} && length($v3->{body}) > length($ts),
    'TS v3 via aio threads: same bytes, audio muxed in');
my $pids = join ',', sort map { $_->{codec_type} }
    @{ (Sluice::Ingest::ffprobe_json(save_file('v3.ts', $v3->{body})) // {})
       ->{streams} // [] };
is($pids, 'audio,video', 'TS v3: audio and video streams');

# Range and HEAD on a TS segment (in memory) and on a CMAF one (file)

$r = $t->get("$base/$vdir/$seg", headers => { Range => 'bytes=0-187' });
is($r->{status}, 206, 'TS range: 206');
ok($r->{body} eq substr($ts, 0, 188), 'TS range: bytes');
$r = $t->get("$base/$vdir/$seg",
    headers => { Range => 'bytes=' . (length($ts) + 10) . '-' });
is($r->{status}, 416, 'TS range beyond the end: 416');

my $tsetag = $t->get("$base/$vdir/$seg")->{headers}{etag};
ok($tsetag, 'TS segment: ETag');
is($t->get("$base/$vdir/$seg", headers => { 'If-None-Match' => $tsetag // 'x' })
    ->{status}, 304, 'TS segment: 304 with If-None-Match');

$r = $t->head("$base/$vdir/$seg");
is($r->{status}, 200, 'TS HEAD: 200');
is($r->{body}, '', 'TS HEAD: no body');
is($r->{headers}{'content-length'}, length($ts), 'TS HEAD: length');

(my $cseg = "$vdir/$seg") =~ s/format=m3u8-aapl\)\.ts/format=m3u8-cmaf).m4s/;
$r = $t->get("$base/$cseg");
is($r->{status}, 200, 'CMAF segment: 200');
like($r->{headers}{'content-type'}, qr{^video/mp4}, 'CMAF segment: type');
like($r->{body}, qr/^....(styp|moof)/s, 'CMAF segment: styp or moof');
like($r->{headers}{'cache-control'} // '',
    qr/max-age=31536000.*immutable/, 'CMAF segment: immutable');
my $cmaf = $r->{body};

my $etag = $r->{headers}{etag};
ok($etag && $r->{headers}{'last-modified'}, 'CMAF segment: ETag, Last-Modified');
is($t->get("$base/$cseg", headers => { 'If-None-Match' => $etag // 'x' })
    ->{status}, 304, 'CMAF segment: 304 with If-None-Match');

$r = $t->get("$base/$cseg", headers => { Range => 'bytes=8-15' });
is($r->{status}, 206, 'CMAF range: 206');
ok($r->{body} eq substr($cmaf, 8, 8), 'CMAF range: bytes');
like($r->{headers}{'content-range'} // '', qr{^bytes 8-15/\d+$},
    'CMAF range: Content-Range');

$r = $t->get("$base/$cseg", headers => { Range => 'bytes=99999999-' });
is($r->{status}, 416, 'CMAF range beyond the end: 416');

(my $init = $cseg) =~ s/video=\d+(.*)\.m4s$/video=i$1.mp4/;
$r = $t->get("$base/$init");
is($r->{status}, 200, 'init segment: 200');
like($r->{body}, qr/^....ftyp/s, 'init segment: ftyp');
like($r->{body}, qr/moov/, 'init segment: moov');

(my $tsinit = $init) =~ s/m3u8-cmaf/m3u8-aapl/;
like($t->get("$base/$tsinit")->{status}, qr/^40[04]$/,
    'no init segment for TS');

# CORS preflight and methods

$r = $t->http(OPTIONS => "$base/manifest",
    headers => { Origin => 'http://example.com',
                 'Access-Control-Request-Method' => 'GET' });
is($r->{status}, 204, 'OPTIONS: 204');
like($r->{headers}{'access-control-allow-methods'} // '',
    qr/GET, HEAD, OPTIONS/, 'OPTIONS: allow methods');
like($r->{headers}{'access-control-allow-headers'} // '', qr/Range/i,
    'OPTIONS: allow headers');

$r = $t->http(POST => "$base/manifest", body => 'x');
is($r->{status}, 405, 'POST: 405');
like($r->{headers}{allow} // '', qr/GET/, 'POST: Allow');

# errors

$r = $t->get("$base/manifest(format=nonsense)");
is($r->{status}, 400, 'unknown format: 400');
like($r->{headers}{'cache-control'} // '', qr/max-age=1\b/,
    'error: short max-age');
is($t->get("$base/Fragments(video=1)")->{status}, 400,
    'fragment without QualityLevels: 400');
is($t->get('/00000000-0000-0000-0000-000000000000/preview.ism/manifest')
    ->{status}, 404, 'unknown locator: 404');
is($t->get(uc("/$loc") . '/preview.ism/manifest')->{status}, 200,
    'locator is case-insensitive');
is($t->get("$base/QualityLevels(1)/Manifest(video,format=m3u8-aapl)")
    ->{status}, 404, 'unknown bitrate: 404');
is($t->get("$base/$vdir/Fragments(video=1,format=m3u8-cmaf)")->{status},
    404, 'unknown time: 404');
is($t->get("$base/$vdir/Fragments(video=1)")->{status},
    404, 'unknown smooth time: 404');
is($t->get("/$loc/other.ism/manifest")->{status}, 404,
    'preview locator under another name: 404');
is($t->get("/whatever")->{status}, 404, 'not a streaming URL: 404');

# an event that is not running, one whose preview denies us

my $loc2 = create_event('ev2', 'fedcba9876543210fedcba9876543210',
    [ { name => 'all', address => '0.0.0.0', subnetPrefixLength => 0 } ],
    'no start');
is($t->get("/$loc2/preview.ism/manifest")->{status}, 404,
    'event not running: 404');

my $loc3 = create_event('ev3', 'aaaabbbbccccddddaaaabbbbccccdddd',
    [ { name => 'ten', address => '10.0.0.0', subnetPrefixLength => 8 } ]);
is($t->get("/$loc3/preview.ism/manifest")->{status}, 403,
    'preview IP not allowed: 403');

my $loc4 = create_event('ev4', '11112222333344441111222233334444',
    [ { name => 'all', address => '0.0.0.0', subnetPrefixLength => 0 } ]);
$r = $t->get("/$loc4/preview.ism/manifest(format=m3u8-cmaf)");
is($r->{status}, 404, 'running event without media: 404');
like($r->{body}, qr/no media/, 'running event without media: reason');

# two workers serve the same event

my %pids;
for (1 .. 40) {
    my $x = $t->get("$base/manifest(format=m3u8-cmaf)");
}
for my $line (split /\n/, $t->read_file('pid.log')) {
    $pids{$1} = 1 if $line =~ m{^(\d+) 200 "GET /[^ ]*preview\.ism};
}
ok(keys %pids >= 2, 'two workers served packaging requests')
    or diag(join ',', keys %pids);

# a publisher reconnect gives a discontinuity

my ($ast) = $t->get("$base/manifest(format=mpd-time-cmaf)")->{body}
    =~ /availabilityStartTime="([^"]+)"/;
$ast //= 'none';

my $from = $t->log_offset();
$t->stop_publisher($pub);
$t->wait_log(qr/"stream\d" stops publishing to live event "ev1"/,
    from => $from, count => 3);
$pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { rtmp_url("$token/stream$_") } 1 .. 3 ]);

my $disc = $t->wait_for(sub {
    my $x = $t->get("$base/$vpl");
    return $x->{body} =~ /#EXT-X-DISCONTINUITY\n/ ? $x->{body} : undef;
}, 30);
ok($disc, 'HLS: discontinuity after a reconnect') or diag_log();

# the MPD has the new Period once every track has its first fragment
# after the reconnect (the video playlist above may be first)
$t->wait_for(sub {
    $r = $t->get("$base/manifest(format=mpd-time-cmaf)");
    return dash_has_new_period($r->{body});
}, 10);
ok(dash_has_new_period($r->{body}),
    'DASH: a new Period at the reconnect, the same availabilityStartTime')
    or diag($r->{body});
like($r->{body}, qr/availabilityStartTime="\Q$ast\E"/,
    'DASH: availabilityStartTime unchanged by the reconnect')
    or diag("before: $ast");

# a StreamIndex lists the chunks all its renditions hold: the gap once
# each of the three has its first fragment after the reconnect (one
# came after the DASH check above in a sanitizer run)
$t->wait_for(sub {
    $r = $t->get("$base/manifest");
    return smooth_has_gap($r->{body});
}, 10);
ok(smooth_has_gap($r->{body}),
    'Smooth: a restated time (gap) after a reconnect') or diag($r->{body});

my ($out, $err) = ffprobe("http://127.0.0.1:" . $t->port(8080)
    . "$base/manifest(format=m3u8-cmaf)");
ok($out =~ /"width": 1280/, 'HLS after the reconnect: ffprobe') or diag($err);

# a reload keeps serving the same timeline (the index is in shared memory)

my $before = $t->get("$base/$vpl")->{body};
my ($first) = $before =~ /^(Fragments\(video=\d+)/m;
ok($t->reload(), 'reload');
$r = $t->get("$base/$vpl");
is($r->{status}, 200, 'after reload: playlist');
ok($first && index($r->{body}, $first) >= 0
    || ($r->{body} =~ /#EXT-X-MEDIA-SEQUENCE:(\d+)/ && $1 > 0),
    'after reload: same timeline');
is($t->get("$base/$vdir/$seg")->{status}, 200, 'after reload: segment');

$t->stop_publisher($pub);

$t->done_testing();


sub rtmp_url {
    return 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$_[0]";
}


sub create_event {
    my ($name, $tok, $allow, $nostart) = @_;

    my $r = $t->api(PUT => "liveEvents/$name", {
        location => 'westus',
        properties => {
            input => {
                streamingProtocol => 'RTMP',
                accessToken => $tok,
                keyFrameIntervalDuration => 'PT2S',
                accessControl => { ip => { allow => [
                    { name => 'all', address => '0.0.0.0',
                      subnetPrefixLength => 0 } ] } },
            },
            preview => {
                accessControl => { ip => { allow => $allow } },
            },
            encoding => { encodingType => 'PassthroughBasic' },
        },
    });

    unless ($r->{status} == 200 || $r->{status} == 201
            || $r->{status} == 202)
    {
        diag("create $name: $r->{status} $r->{body}");
        return;
    }

    $t->wait_for(sub {
        my $g = $t->api(GET => "liveEvents/$name");
        return ($g->{json}{properties}{resourceState} // '') eq 'Stopped';
    }, 20);

    unless ($nostart) {
        $r = $t->api(POST => "liveEvents/$name/start", {});
        diag("start $name: $r->{status} $r->{body}")
            unless $r->{status} == 200 || $r->{status} == 202;

        $t->wait_for(sub {
            my $g = $t->api(GET => "liveEvents/$name");
            return ($g->{json}{properties}{resourceState} // '')
                eq 'Running';
        }, 20) or diag("$name not running");
    }

    my $g = $t->api(GET => "liveEvents/$name");
    return $g->{json}{properties}{preview}{previewLocator};
}


sub ffprobe {
    my ($url) = @_;

    require IPC::Run;

    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-of', 'json',
        '-show_streams', $url ], '<', \undef, '>', \$out, '2>', \$err,
        IPC::Run::timeout(60));

    return ($out, $err);
}


# no tfdt (as AMS: dash.js writes its own from the time it asked for),
# the tfxd time and duration are the manifest's t and d, and the trun
# sample durations add up to d (all 100 ns)
sub smooth_times {
    my ($body, $t0, $d0, $what) = @_;
    my $moof = unpack('N', $body);
    is(index(substr($body, 0, $moof), 'tfdt'), -1, "$what: no tfdt");
    my $at = index($body, pack('H*', '6d1d9b0542d544e680e2141daff757b2'));
    my ($xt, $xd) = $at > 0 ? unpack('Q>Q>', substr($body, $at + 20, 16))
        : (-1, -1);
    is("$xt $xd", "$t0 $d0", "$what: tfxd time and duration");
    $at = index($body, 'trun');
    my $sum = -1;
    if ($at > 0) {
        my ($vf, $n) = unpack('NN', substr($body, $at + 4, 8));
        my $stride = ($vf & 0x800) ? 16 : 12;
        $sum = 0;
        $sum += unpack('N', substr($body, $at + 16 + $_ * $stride, 4))
            for 0 .. $n - 1;
    }
    is($sum, $d0, "$what: sample durations add up to d");
}


# a <c> with t= after the first one of the video stream index
sub smooth_has_gap {
    my ($xml) = @_;
    my ($v) = $xml =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
    return 0 unless $v;
    my @c = $v =~ /<c\b([^>]*)>/g;
    shift @c;
    return scalar grep { /\bt="/ } @c;
}


# a second Period that starts where the first one's media ends (its
# presentationTimeOffset), then the hole (the timeline is on the wall
# clock), then its first fragment; every SegmentTimeline contiguous
# after that
sub dash_has_new_period {
    my ($xml) = @_;
    my @p = $xml =~ m{(<Period\b.*?</Period>)}sg;
    return 0 unless @p >= 2;

    my ($start) = $p[-1] =~ /<Period\b[^>]*\bstart="PT([\d.]+)S"/;
    return 0 unless defined $start;

    # the end of the first Period's video
    my ($vs) = $p[-2] =~ m{mimeType="video/mp4"(.*?)</AdaptationSet>}s;
    my ($vts) = ($vs // '') =~ /timescale="(\d+)"/;
    my $end;
    for my $s (($vs // '') =~ /<S\b([^>]*)>/g) {
        my ($st) = $s =~ /\bt="(\d+)"/;
        my ($d) = $s =~ /\bd="(\d+)"/;
        my ($r) = $s =~ /\br="(\d+)"/;
        $end = ($st // $end) + $d * (1 + ($r // 0));
    }
    return 0 unless $vts && defined $end && abs($end / $vts - $start) < 0.002;

    for my $tpl ($p[-1] =~ m{(<SegmentTemplate\b.*?</SegmentTemplate>)}sg) {
        my ($ts) = $tpl =~ /timescale="(\d+)"/;
        my ($pto) = $tpl =~ /presentationTimeOffset="(\d+)"/;
        my @s = $tpl =~ /<S\b([^>]*)>/g;
        my ($first) = ($s[0] // '') =~ /\bt="(\d+)"/;
        return 0 unless $ts && defined $pto && defined $first;
        return 0 if abs($pto / $ts - $start) > 0.002;
        # the hole first (the outage: as long as the publisher took to
        # come back, under a second when it was quick)
        return 0 if $first / $ts - $start < 0.05;
        shift @s;
        return 0 if grep { /\bt="/ } @s;
    }
    return 1;
}


sub save_file {
    my ($name, $data) = @_;
    $t->write_file($name, $data);
    return $t->testdir() . "/$name";
}


sub diag_log {
    diag($t->read_file('error.log') =~ s/^(.{0,4000}).*/$1/sr);
}
