#!/usr/bin/perl

# Sluice behind nginx proxy_cache (the CDN shape):
# conf.examples/origin-behind-cache.conf as shipped (ports, module and log
# paths rewritten for the test directory).  A live event recorded into an
# asset and published by a streaming locator, played through the edge:
# segments are cached (the second request is a HIT), live manifests expire
# after their short max-age and come back refreshed, errors are not kept,
# concurrent requests for a new segment reach the origin once
# (proxy_cache_lock), Range and CORS work through the cache, ffprobe plays
# HLS and DASH through the edge.  Low latency (LowLatencyV2, the
# preview): blocking playlist reloads and parts answered and cached
# through the edge.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new()->has_program('ffmpeg', 'ffprobe');
$t->api_key('sluice-quickstart-key');
$t->account('local');

my $conf = $t->read_file(
    "$Test::Sluice::ROOT/conf.examples/origin-behind-cache.conf");

# the harness' paths and ports; everything else exactly as shipped.  The
# origin takes %%PORT_8080%% (the API and Sluice::Playback helpers talk to
# it), the edge %%PORT_8090%%.
my %port = (1935 => 1935, 8081 => 8080, 8080 => 8090);
$conf =~ s{^load_module modules/}{load_module %%MODULES_DIR%%/}mg;
$conf =~ s{^error_log logs/error\.log}{error_log error.log}m;
$conf =~ s{^pid logs/nginx\.pid}{pid nginx.pid}m;
$conf =~ s{127\.0\.0\.1:(1935|8080|8081)\b}{127.0.0.1:%%PORT_$port{$1}%%}g;

mkdir $t->testdir() . '/logs';
$t->write_file_expand('nginx.conf', $conf);

my ($rc, $out) = $t->nginx_t();
is($rc, 0, 'origin-behind-cache.conf passes nginx -t') or diag($out);

$t->run();

my $edge = $t->port(8090);

sub eget {
    my ($path, %h) = @_;
    return $t->get($path, port => $edge, headers => \%h);
}

sub cache_status {
    return $_[0]->{headers}{'x-cache-status'} // '';
}

# the API stays on the origin

is(eget($t->api_path('liveEvents') . '?api-version=2022-08-01',
    Authorization => 'Bearer sluice-quickstart-key')->{status}, 404,
    'edge: no API');
is($t->api(GET => 'liveEvents')->{status}, 200, 'origin: the API');

# a live event recorded into an asset, published by a locator

my $token = '0123456789abcdef0123456789abcdef';
ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');
ok($t->create_live_event('ev1', token => $token), 'ev1 running')
    or BAIL_OUT('no live event');
my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
    archiveWindowLength => 'PT10M', manifestName => 'show');

my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($hls) = grep { /m3u8-aapl\)/ } @{ $paths->{Hls} // [] };
my ($cmaf) = grep { /m3u8-cmaf\)/ } @{ $paths->{Hls} // [] };
my ($dash) = grep { /mpd-time-cmaf\)/ } @{ $paths->{Dash} // [] };
ok($smooth && $hls && $cmaf && $dash, 'listPaths') or BAIL_OUT('no paths');
(my $base = $smooth) =~ s{/manifest$}{};

# errors are not kept: before any media the locator answers an error;
# the edge follows the origin within about a second once media arrives

my $r = eget($hls);
isnt($r->{status}, 200, 'edge: no media yet, an error');
like($r->{headers}{'cache-control'} // '', qr/max-age=1\b/,
    'edge: the error says max-age=1');

my $pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 8,
    gop => 2), loop => 1, url => 'rtmp://127.0.0.1:' . $t->port(1935)
    . "/live/$token/stream");

ok(Sluice::Playback::wait_media($t, $hls, 30), 'origin: media')
    or diag($t->publisher_log($pub));
ok($t->wait_for(sub { eget($hls)->{status} == 200 }, 3, 0.2),
    'edge: the error was not kept (200 within 3 s)');

$r = eget('/00000000-0000-0000-0000-000000000000/show.ism/manifest');
is($r->{status}, 404, 'edge: unknown locator 404');
# the 404 may be kept a little (max-age=1), but not 2 s: within 2.2 s a
# request is no longer a HIT
my $st;
ok($t->wait_for(sub {
    $st = cache_status(
        eget('/00000000-0000-0000-0000-000000000000/show.ism/manifest'));
    return $st ne 'HIT';
}, timeout => 2.2, interval => 0.2), 'edge: a 404 is not a HIT 2 s later')
    or diag("still $st");

# segments for the playlist and segment checks below
ok(Sluice::Playback::wait_fragments($t, $smooth, 4), 'origin: four fragments');

# live media playlist: short max-age, cached, then refreshed

my $m = eget($hls)->{body};
my ($vpl) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
my ($vdir) = ($vpl // '') =~ m{^(QualityLevels\(\d+\))/};
ok($vpl, 'edge: HLS master playlist') or diag($m);
my $pl = "$base/" . ($vpl // 'none');

# (a pair of requests may straddle the playlist's expiry: try again)
my $hit = $t->wait_for(sub {
    my $a = eget($pl);
    my $b = eget($pl);
    return cache_status($b) eq 'HIT' && $b->{body} eq $a->{body};
}, timeout => 4, interval => 0.3);
ok($hit, 'live playlist: a second request within its max-age is a HIT');

$r = eget($pl);
like($r->{headers}{'cache-control'} // '', qr/max-age=[12]\b/,
    'live playlist: max-age of about half a fragment');
my @before = Sluice::Playback::segments($r->{body});
# the cached playlist expires (max-age above) and the origin has a new
# fragment every 2 s: a later request gets it
my @after;
$t->wait_for(sub {
    $r = eget($pl);
    @after = Sluice::Playback::segments($r->{body});
    return cache_status($r) ne 'HIT' && @after && @before
        && $after[-1][0] ne $before[-1][0];
}, timeout => 8, interval => 0.2);
like(cache_status($r), qr/^(EXPIRED|MISS|REVALIDATED)$/,
    'live playlist: expired after its max-age (' . cache_status($r) . ')');
ok(@before && @after && $after[-1][0] ne $before[-1][0],
    'live playlist: refreshed, new segments');
unlike($r->{body}, qr/#EXT-X-ENDLIST/, 'live playlist: no ENDLIST');

# segments: MISS then HIT, same bytes as the origin, headers passed

my @segs = Sluice::Playback::segments($r->{body});
ok(@segs >= 3, 'segments listed') or diag($r->{body});
my $seg = "$base/$vdir/" . ($segs[0][0] // 'none');
my $direct = $t->get($seg);

my $from = $t->log_offset();
my $s1 = eget($seg);
my $s2 = eget($seg);
is($s1->{status}, 200, 'segment through the edge: 200');
is(cache_status($s1), 'MISS', 'segment: first request MISS');

# once, in a CI run on a loaded machine (ASan build), the second request
# was a MISS too (not reproduced since; issue 16).  nginx stores a
# response unless it is uncacheable (status, Cache-Control, Set-Cookie,
# Vary: none of these here) or its body did not arrive whole (the origin
# closing early, a read error or timeout: the temporary file is dropped,
# with a line in error.log); a second request while the first is being
# stored waits for it (proxy_cache_lock), and the cache loader leaves
# temporary files alone.  A third request must then be a HIT; the
# headers, the length of the first body and error.log say which it was.

if (cache_status($s2) ne 'HIT') {
    diag('second request ' . cache_status($s2) . '; first response ('
         . length($s1->{body} // '') . ' of ' . length($direct->{body} // '')
         . ' bytes): ' . explain($s1->{headers}) . '; second: '
         . explain($s2->{headers}) . '; error.log since: '
         . substr($t->read_file('error.log') // '', $from));
    $s2 = eget($seg);
}
is(cache_status($s2), 'HIT', 'segment: a later request is a HIT');
ok($s2->{body} eq $direct->{body} && length $direct->{body} > 1000,
    'segment: the cached bytes are the origin\'s');
like($s2->{headers}{'cache-control'} // '', qr/max-age=31536000/,
    'segment: Cache-Control passed');
is($s2->{headers}{'access-control-allow-origin'}, '*',
    'segment: CORS Access-Control-Allow-Origin from the cache');
like($s2->{headers}{'access-control-expose-headers'} // '',
    qr/Content-Range/, 'segment: CORS Expose-Headers from the cache');

# Range through the cache: on a cached object and on a new one

$r = eget($seg, Range => 'bytes=100-299');
is($r->{status}, 206, 'Range on a HIT: 206');
ok($r->{body} eq substr($direct->{body}, 100, 200), 'Range on a HIT: bytes');
like($r->{headers}{'content-range'} // '',
    qr{^bytes 100-299/${\ length $direct->{body}}$}, 'Range: Content-Range');

(my $cseg = $seg) =~ s/format=m3u8-aapl\)\.ts/format=m3u8-cmaf).m4s/;
my $cdirect = $t->get($cseg);
$r = eget($cseg, Range => 'bytes=0-7');
ok($r->{status} == 206 && $r->{body} eq substr($cdirect->{body}, 0, 8),
    'Range on a MISS: 206 with the bytes');
$r = eget($cseg, Range => 'bytes=99999999-');
is($r->{status}, 416, 'Range past the end: 416');

# CORS preflight through the edge

$r = $t->http(OPTIONS => $seg, port => $edge,
    headers => { Origin => 'https://player.example',
                 'Access-Control-Request-Method' => 'GET',
                 'Access-Control-Request-Headers' => 'Range' });
is($r->{status}, 204, 'OPTIONS preflight: 204');
like($r->{headers}{'access-control-allow-headers'} // '', qr/Range/,
    'preflight: Range allowed');

# proxy_cache_lock: a new segment asked by 6 clients at once reaches the
# origin once

my ($tl) = $segs[1][0] =~ /video=(\d+)/;
my $fresh = "$base/$vdir/Fragments(video=$tl,format=mpd-time-cmaf)";
# the requests are written on 6 open connections at once
my @socks = grep { $_ } map { IO::Socket::INET->new(
    PeerAddr => "127.0.0.1:$edge", Timeout => 10) } 1 .. 6;
print $_ "GET $fresh HTTP/1.0\r\nHost: localhost\r\n\r\n" for @socks;
my $okc = 0;
for my $s (@socks) {
    local $/;
    my $reply = <$s> // '';
    $okc++ if $reply =~ m{^HTTP/1\.\d 200 };
    close $s;
}
is($okc, 6, 'concurrent requests: all 200');
# the origin logs its request once it has sent the reply
my $q = quotemeta $fresh;
my $n = $t->wait_for(sub {
    my $c = () = ($t->read_file('logs/origin.log') // '') =~ /"GET $q HTTP/g;
    return $c;
}, timeout => 5, what => 'the request in the origin log') // 0;
is($n, 1, 'concurrent requests: one request to the origin');

# players through the edge

for my $p ($hls, $cmaf, $dash) {
    my $url = "http://127.0.0.1:$edge$p";
    my ($o, $e) = ('', '');
    IPC::Run::run(['ffprobe', '-v', 'error', '-of', 'json',
        '-show_streams', $url], '<', \undef, '>', \$o, '2>', \$e,
        IPC::Run::timeout(60));
    my $j = eval { JSON::PP::decode_json($o) } // {};
    my @s = @{ $j->{streams} // [] };
    ok((grep { ($_->{codec_name} // '') eq 'h264' } @s)
        && (grep { ($_->{codec_name} // '') eq 'aac' } @s),
        "ffprobe through the edge: $p") or diag($e);
}

my $elog = $t->read_file('logs/edge.log') // '';
like($elog, qr/cache=HIT/, 'edge access log: cache status');

$t->stop_publisher($pub);

# low latency through the edge (LowLatencyV2, the preview): a blocking
# playlist reload for the next part is held by the origin and answered
# through the cache, a second viewer asking the same gets the cached
# answer (the query is in the key), and so do the parts

my $lltoken = '0123456789abcdef0123456789abcd11';
my $ll = $t->create_live_event('ll1', token => $lltoken,
    input => { keyFrameIntervalDuration => 'PT1S' },
    properties => { streamOptions => ['LowLatencyV2'] });
ok($ll, 'LowLatencyV2 event running') or BAIL_OUT('no LL event');
my $llbase = "/$ll->{properties}{preview}{previewLocator}/preview.ism";

my $llpub = $t->publish(lavfi => { duration => 60, gop => 1, fps => 30 },
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$lltoken/stream");

my ($llpl, $llbody);
ok($t->wait_for(sub {
    my ($v) = (eget("$llbase/manifest(format=m3u8-cmaf)")->{body} // '')
        =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    return 0 unless $v;
    $llpl = "$llbase/$v";
    $llbody = eget($llpl)->{body} // '';
    return $llbody =~ /#EXT-X-PRELOAD-HINT/;
}, timeout => 30, interval => 0.3), 'edge: LL-HLS playlist with parts')
    or diag($llbody);

my ($hint) = ($llbody // '') =~ /PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/;
my ($msn) = ($llbody // '') =~ /MEDIA-SEQUENCE:(\d+)/;
my $nseg = () = ($llbody // '') =~ /^#EXTINF/mg;
my ($hidx) = ($hint // '') =~ /part=(\d+)/;
my $hmsn = $msn + $nseg;
my $blk = "$llpl?_HLS_msn=$hmsn&_HLS_part=" . ($hidx // 0);

my $b1 = eget($blk);
is($b1->{status}, 200, 'edge: blocking reload answered');
like($b1->{body} // '', qr/part=\Q$hidx\E\)\.m4s"/,
    'edge: the part waited for is listed') if defined $hidx;
is(cache_status($b1), 'MISS', 'edge: first blocking reload from the origin');
my $b2 = eget($blk);
is(cache_status($b2), 'HIT', 'edge: the same blocking reload is a HIT');
is($b2->{body}, $b1->{body}, 'edge: the same playlist');

(my $vq) = $llpl =~ m{/(QualityLevels\(\d+\))/};
my $p1 = eget("$llbase/$vq/$hint");
is($p1->{status}, 200, 'edge: the hinted part');
ok(length($p1->{body} // '') > 1000, 'edge: the part has media');
is(cache_status(eget("$llbase/$vq/$hint")), 'HIT', 'edge: the part cached');

$t->stop_publisher($llpub);

$t->done_testing();
