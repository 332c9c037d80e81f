#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Low latency over HTTP/2 (h2c, prior knowledge, curl): a LowLatencyV2
# event's blocking playlist reload and blocking preload-hint part are held
# and answered on an HTTP/2 stream, a request on another stream of the
# same connection is answered while one is parked, an LL-DASH segment in progress comes
# as DATA frames and decodes whole, and an HTTP/2 client that gives up on
# a parked request leaves nothing behind (nginx answers the next ones,
# the error log stays clean).

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Ingest;

my $t = Test::Sluice->new()->has_program('ffmpeg', 'ffprobe', 'curl',
    'node');

plan(skip_all => 'curl without HTTP/2') unless `curl -V` =~ /HTTP2/;

$t->write_sluice_conf(
    location => 'aio threads=sluice;',
    servers => "server {\n"
        . "    listen 127.0.0.1:%%PORT_8081%% http2;\n"
        . "    location / {\n"
        . "        sluice_packager;\n"
        . "        aio threads=sluice;\n"
        . "    }\n"
        . "}\n");

$t->run();

my $token = 'c0ffeec0ffeec0ffeec0ffeec0ff1100';
my $ev = $t->create_live_event('h2ll', token => $token, timeout => 30,
    input => { keyFrameIntervalDuration => 'PT1S' },
    properties => { streamOptions => ['LowLatencyV2'] });
ok($ev, 'LowLatencyV2 event running') or BAIL_OUT('no live event');

my $base = "/$ev->{properties}{preview}{previewLocator}/preview.ism";
my $h2 = 'http://127.0.0.1:' . $t->port(8081) . $base;

my $pub = $t->publish(lavfi => { duration => 60, gop => 1, fps => 30 },
    path => "live/$token/stream");

# curl over h2c: [http version, status, seconds, body]
sub h2get {
    my ($url, @args) = @_;

    my $out = $t->testdir . '/h2body';
    my $w = `curl -s --http2-prior-knowledge -o '$out' @args -w '%{http_version} %{http_code} %{time_total}' '$url'`;
    my ($v, $s, $secs) = split ' ', $w // '';
    return [$v // '', $s // 0, $secs // 0, $t->read_file($out) // ''];
}

my $d = $t->testdir;
my ($pl, $body);
ok($t->wait_for(sub {
    my $m = h2get("$h2/manifest(format=m3u8-cmaf)");
    my ($v) = $m->[3] =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    return 0 unless $v;
    $pl = "$h2/$v";
    my $r = h2get($pl);
    $body = $r->[3];
    return $r->[0] eq '2' && $body =~ /#EXT-X-PRELOAD-HINT/
        && $body =~ /#EXT-X-PART:/;
}, timeout => 30, interval => 0.3), 'LL-HLS playlist over HTTP/2')
    or diag($body // '');

# the next part: msn of the segment in progress (or the next one) and the
# part after the last listed
sub next_part {
    my ($b) = @_;
    my ($msn) = $b =~ /#EXT-X-MEDIA-SEQUENCE:(\d+)/;
    my $nseg = () = $b =~ /^#EXTINF/mg;
    my ($hint) = $b =~ /PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/;
    my ($hidx) = ($hint // '') =~ /part=(\d+)/;
    return ($msn + $nseg, $hidx // 0, $hint);
}

my ($msn, $part, $hint) = next_part($body // '');
my $r = h2get("$pl?_HLS_msn=$msn&_HLS_part=$part");
is($r->[0], '2', 'blocking reload: HTTP/2');
is($r->[1], 200, 'blocking reload: 200');
like($r->[3], qr/part=$part\)\.m4s"/, 'blocking reload: the part listed')
    or diag($r->[3]);

($msn, $part, $hint) = next_part($r->[3]);
(my $qdir = $pl) =~ s{/Manifest\(.*$}{};
$r = h2get("$qdir/$hint");
is($r->[1], 200, 'blocking preload hint over HTTP/2: 200');
ok(length $r->[3] > 1000, 'the part has media');

# one HTTP/2 connection (Node.js's http2 client): a blocking request
# parked on its stream while a second stream on the same connection is
# answered at once, then the blocking one once its part exists

# (the first part of the next segment: half a second away or more)
($msn, $part) = next_part(h2get($pl)->[3]);
(my $path = "$pl?_HLS_msn=" . ($msn + 1) . "&_HLS_part=0")
    =~ s{^http://[^/]+}{};
(my $plain = $pl) =~ s{^http://[^/]+}{};
my $js = <<'JS';
const http2 = require('http2');
const [origin, blocking, plain] = process.argv.slice(2);
const s = http2.connect(origin);
const t0 = Date.now();
const done = [];
function get(path, name) {
    const rq = s.request({ ':path': path });
    let status = 0;
    rq.on('response', (h) => { status = h[':status']; });
    rq.on('data', () => {});
    rq.on('end', () => {
        done.push(name + ' ' + status + ' ' + (Date.now() - t0));
        if (done.length === 2) {
            console.log(done.join('\n'));
            s.close();
        }
    });
}
get(blocking, 'blocking');
setTimeout(() => get(plain, 'plain'), 50);
JS
$t->write_file('h2.js', $js);
my $o = `node $d/h2.js http://127.0.0.1:@{[ $t->port(8081) ]} '$path' '$plain' 2>&1`;
my @order = map { [split ' '] } grep { /\S/ } split /\n/, $o // '';
is(scalar(@order), 2, 'one connection: both streams answered') or diag($o);
is(join(',', map { "$_->[0] $_->[1]" } @order), 'plain 200,blocking 200',
    'one connection: the plain request answered while the blocking one '
    . 'waits, then the blocking one') or diag($o);

# LL-DASH: the segment in progress in DATA frames, whole at the end

my $mpd = h2get("$h2/manifest(format=mpd-time-cmaf)")->[3];
my ($vset) = $mpd =~ /(<AdaptationSet[^>]*contentType="video".*?<\/AdaptationSet>)/s;
my ($bw) = ($vset // '') =~ /Representation[^>]*bandwidth="(\d+)"/;
my @s = ($vset // '') =~ /<S (?:t="(\d+)" )?d="(\d+)"(?: r="(\d+)")?/g;
my ($tt, $last) = (0, 0);
while (my ($st, $sd, $sr) = splice(@s, 0, 3)) {
    $tt = $st if defined $st;
    for (0 .. ($sr // 0)) {
        $last = $tt;
        $tt += $sd;
    }
}
like($vset // '', qr/availabilityTimeComplete="false"/, 'LL-DASH MPD');
my $seg = "$h2/QualityLevels($bw)/Fragments(video=$last,format=mpd-time-cmaf)";
$r = h2get($seg);
is("$r->[0] $r->[1]", '2 200', 'segment in progress over HTTP/2');
my $init = h2get("$h2/QualityLevels($bw)/Fragments(video=i,format=mpd-time-cmaf)");
$t->write_file('whole.mp4', $init->[3] . $r->[3]);
my $frames = `ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 $d/whole.mp4`;
chomp $frames;
is($frames, 30, 'the segment in progress decodes whole (1 s, 30 frames)');

# a client giving up on a parked request: nothing left behind

($msn, $part) = next_part(h2get($pl)->[3]);
$r = h2get("$pl?_HLS_msn=" . ($msn + 1) . "&_HLS_part=0", '--max-time', '0.3');
isnt($r->[1], 200, 'parked request abandoned by its client');
$r = h2get($pl);
is($r->[1], 200, 'nginx serves on');

$t->stop_publisher($pub);

$t->done_testing();
