#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# SRT ingest (sluice_srt_listen), an extension of Sluice: live events of
# streamingProtocol "SRT" list srt://host:port?streamid=#!::r={token},
# m=publish; encoders send MPEG-TS.
#
#  - the API: SRT events and their endpoint; live encoding refused;
#  - ffmpeg (srt://, the endpoint the API lists, unmodified) with H.264 +
#    AAC -> HLS CMAF and TS, DASH, Smooth through ffprobe, HLS played by
#    GStreamer;
#  - srt-live-transmit carrying ffmpeg's MPEG-TS, with H.265 and two
#    audio languages -> HLS CMAF (hvc1, EXT-X-MEDIA with LANGUAGE) and DASH;
#  - refusals at connect, with SRT reject reasons and a log line: unknown
#    token (1404), stopped event (1404), address not allowed (1403), an
#    RTMP event (1406), a mode other than publish (1405), no stream id;
#    RTMP into an SRT event refused;
#  - a lossy link: a UDP relay made by the test drops 4% of the packets
#    both ways (tc netem needs the sch_netem module, absent here); SRT
#    retransmits and the stream is stored whole;
#  - reload with a passphrase: the new worker 0 takes the port, a sender
#    without the passphrase is refused (11), one with another too (10),
#    one with it is stored (AES-128 from ffmpeg, AES-256 from
#    srt-live-transmit).

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use IO::Socket::INET;
use IO::Select;
use JSON::PP;
use POSIX ();
use Time::HiRes ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::GStreamer;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'srt-live-transmit');

my $srt_conf = "sluice_srt_listen 127.0.0.1:%%PORT_9000%%;\n"
    . "sluice_ingest_url srt://127.0.0.1:%%PORT_9000%%;";

$t->write_sluice_conf(http => $srt_conf);

$t->expect_errors(qr/sluice: SRT publish refused /,
    qr/sluice: publish refused: /);

$t->run();

my $port = $t->port(9000);
my $base = "srt://127.0.0.1:$port";

###############################################################################
# the API: SRT events and their endpoint

my $tok1 = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a01';
my $ev1 = $t->create_live_event('srtone', token => $tok1,
    input => { streamingProtocol => 'SRT' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev1, 'SRT event running') or BAIL_OUT(log_tail());

my $in = $ev1->{properties}{input};
is($in->{streamingProtocol}, 'SRT', 'streamingProtocol kept');
is_deeply($in->{endpoints}, [ { protocol => 'SRT',
    url => "$base?streamid=#!::r=$tok1,m=publish" } ],
    'input endpoint: the srt:// URL with its stream id');

my $r = $t->api(PUT => 'liveEvents/srtenc', { location => 'local',
    properties => { input => { streamingProtocol => 'SRT' },
                    encoding => { encodingType => 'Standard' } } });
is($r->{status}, 400, 'live encoding over SRT: 400');

my $loc1 = $ev1->{properties}{preview}{previewLocator};

###############################################################################
# ffmpeg to the URL the API lists: H.264 + AAC

my $http = 'http://127.0.0.1:' . $t->port(8080);

my $pub = $t->publish(lavfi => { duration => 30 }, muxer => 'mpegts',
    url => $in->{endpoints}[0]{url});
ok(wait_chunks($loc1, 4), 'four fragments stored') or diag(log_tail());

like($t->read_file('error.log'),
    qr/"stream" publishing to live event "srtone" generation \d+ over SRT/,
    'the publisher logged, stream "stream"');

for my $f (['HLS CMAF', 'manifest(format=m3u8-cmaf)'],
    ['HLS TS', 'manifest(format=m3u8-aapl)'],
    ['DASH', 'manifest(format=mpd-time-csf)'])
{
    my @s = @{probe("$http/$loc1/preview.ism/$f->[1]")->{streams} // []};
    my ($v) = grep { $_->{codec_type} eq 'video' } @s;
    my ($a) = grep { $_->{codec_type} eq 'audio' } @s;
    is($v && $v->{codec_name}, 'h264', "$f->[0]: H.264");
    is($a && $a->{codec_name}, 'aac', "$f->[0]: AAC");
    cmp_ok($v && $v->{nb_read_frames} // 0, '>=', 60,
        "$f->[0]: 2 s of frames or more");
}

my $sm = $t->get("/$loc1/preview.ism/manifest")->{body};
like($sm, qr/FourCC="H264"/, 'Smooth: H.264');
like($sm, qr/FourCC="AACL"/, 'Smooth: AAC');

SKIP: {
    my $m = Sluice::GStreamer::missing();
    skip("$m is missing", 4) if $m;

    my @r = Sluice::GStreamer::play_many([
        [ 'playbin3', "$http/$loc1/preview.ism/manifest(format=m3u8-cmaf)"
                      . '.m3u8', 12 ],
        [ 'playbin', "$http/$loc1/preview.ism/manifest", 12 ] ]);

    for my $name ('GStreamer HLS fMP4', 'GStreamer Smooth') {
        my $g = shift @r;
        ok(!@{$g->{errors}}, "$name: no error")
            or diag(join("\n", @{$g->{errors}}));
        ok($g->{video_span} >= 4 && $g->{audio_span} >= 4,
            "$name: video and audio played 4 s or more")
            or diag("spans $g->{video_span} $g->{audio_span}\n$g->{tail}");
    }
}

$t->stop_publisher($pub);
ok($t->wait_log(qr/SRT stream "stream" of live event "srtone" from \S+ ended/,
    timeout => 30), 'the end of the stream logged');

###############################################################################
# srt-live-transmit: H.265 and audio in French and German

my $tok2 = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a02';
my $ev2 = $t->create_live_event('srthevc', token => $tok2,
    input => { streamingProtocol => 'SRT' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev2, 'second SRT event');
my $loc2 = $ev2->{properties}{preview}{previewLocator};

my $slt = slt_start("$base?streamid=#!::r=$tok2/hevc,m=publish", 24,
    'libx265');
ok(wait_chunks($loc2, 4), 'H.265: four fragments stored')
    or diag(log_tail());

my $m3u8 = $t->get("/$loc2/preview.ism/manifest(format=m3u8-cmaf)")->{body};
like($m3u8, qr/CODECS="hvc1\.[^"]*"/, 'HLS CMAF: hvc1');
my @hl = $m3u8 =~ /#EXT-X-MEDIA:TYPE=AUDIO[^\n]*LANGUAGE="(\w+)"/g;
is_deeply([ sort @hl ], [ 'deu', 'fra' ], 'HLS: EXT-X-MEDIA in both languages')
    or diag($m3u8);

my $mpd = $t->get("/$loc2/preview.ism/manifest(format=mpd-time-csf)")->{body};
my @dl = $mpd =~ /<AdaptationSet[^>]*lang="(\w+)"/g;
is_deeply([ sort @dl ], [ 'deu', 'fra' ], 'DASH: an AdaptationSet per language')
    or diag($mpd);

my @s = @{probe("$http/$loc2/preview.ism/manifest(format=m3u8-cmaf)")
    ->{streams} // []};
my ($v) = grep { $_->{codec_type} eq 'video' } @s;
is($v && $v->{codec_name}, 'hevc', 'HLS CMAF through ffprobe: H.265');
cmp_ok($v && $v->{nb_read_frames} // 0, '>=', 45, '... frames decoded');

@s = @{probe("$http/$loc2/preview.ism/manifest(format=mpd-time-csf)")
    ->{streams} // []};
($v) = grep { $_->{codec_type} eq 'video' } @s;
is($v && $v->{codec_name}, 'hevc', 'DASH through ffprobe: H.265');

slt_stop($slt);

###############################################################################
# refusals at connect

my $tok3 = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a03';
ok($t->create_live_event('srtstopped', token => $tok3, start => 0,
    input => { streamingProtocol => 'SRT' }), 'stopped SRT event');

my $tok4 = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a04';
ok($t->create_live_event('srtacl', token => $tok4,
    input => { streamingProtocol => 'SRT',
        accessControl => { ip => { allow => [ { name => 'lan',
            address => '10.0.0.0', subnetPrefixLength => 8 } ] } } }),
    'SRT event allowing 10/8 only');

my $tok5 = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a05';
ok($t->create_live_event('rtmpone', token => $tok5), 'RTMP event');

for my $c (
    [ '#!::r=0000000000000000000000000000dead,m=publish', 1404,
      'unknown access token' ],
    [ "#!::r=$tok3,m=publish", 1404, 'live event is not running' ],
    [ "#!::r=$tok4,m=publish", 1403,
      'client address not allowed by the live event' ],
    [ "#!::r=$tok5,m=publish", 1406,
      q{the live event's streamingProtocol is RTMP} ],
    [ "#!::r=$tok1,m=request", 1405, 'stream id: mode \("m"\) must be publish' ],
    [ "#!::r=$tok1/a b,m=publish", 1400,
      'stream id: the stream name has a character' ],
    [ '', 1400, 'no stream id' ])
{
    my ($sid, $code, $why) = @$c;
    my $off = $t->log_offset();
    my $p = $t->publish(lavfi => { duration => 3 }, muxer => 'mpegts',
        url => $sid eq '' ? $base : "$base?streamid=$sid");
    ok($t->wait_log(qr/SRT publish refused \($code\): $why/, from => $off,
        timeout => 30), "refused with $code: " . ($sid || 'no stream id'));
    $t->wait_publisher_exit($p, 30);
}

# the caller sees an application's reject reason (srt-live-transmit does
# not print its number; srt_getrejectreason() gives it)
my $out = '';
my $udp = IO::Socket::INET->new(LocalAddr => '127.0.0.1:0', Proto => 'udp');
my $uport = $udp->sockport();
close $udp;
IPC::Run::run([ 'srt-live-transmit', '-v', '-t:5', "udp://127.0.0.1:$uport",
    "$base?streamid=#!::r=$tok3,m=publish" ], '<', \undef, '>&', \$out,
    IPC::Run::timeout(30));
like($out, qr/REJECT[^\n]*Application-defined rejection reason/,
    'srt-live-transmit is told of the rejection by the application')
    or diag($out);

my $p = $t->publish(lavfi => { duration => 2 },
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$tok1/rtmp");
$t->wait_publisher_exit($p, 30);
like($t->read_file('error.log'),
    qr/publish refused: the live event's streamingProtocol is SRT/,
    'RTMP into an SRT event refused');

###############################################################################
# a lossy link: 4% of the datagrams lost each way, SRT resends them

my $tok6 = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a06';
my $ev6 = $t->create_live_event('srtlossy', token => $tok6,
    input => { streamingProtocol => 'SRT' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
my $loc6 = $ev6->{properties}{preview}{previewLocator};

my ($relay, $rport, $stats) = lossy_relay($port, 0.04);
$pub = $t->publish(lavfi => { duration => 10 }, muxer => 'mpegts',
    url => "srt://127.0.0.1:$rport?streamid=#!::r=$tok6,m=publish"
        . '&latency=400000');
$t->wait_publisher_exit($pub, 60);
ok($t->wait_log(qr/SRT stream "stream" of live event "srtlossy" .* ended/,
    timeout => 30), 'lossy link: the stream ended');
kill 'TERM', $relay;
waitpid($relay, 0);
my ($sent, $dropped) = split / /, ($t->read_file($stats) // '0 0');
cmp_ok($dropped, '>', 10, "lossy link: the relay dropped $dropped of $sent");

my $ts = $t->get("/$loc6/preview.ism/manifest")->{body};
my ($vi) = $ts =~ m{(<StreamIndex Type="video".*?</StreamIndex>)}s;
my @c = ($vi // '') =~ /<c\b([^>]*)/g;
my ($ok, $span, $next) = (1, 0, undef);
for my $c (@c) {
    my ($tt) = $c =~ /\bt="(\d+)"/;
    my ($d) = $c =~ /\bd="(\d+)"/;
    $ok = 0 if defined $next && defined $tt && $tt != $next;
    $next = (defined $tt ? $tt : $next) + $d;
    $span += $d;
}
ok($ok, 'lossy link: fragments without a gap');
cmp_ok($span / 10_000_000, '>=', 8, 'lossy link: 8 s or more stored')
    or diag($vi);
@s = @{probe("$http/$loc6/preview.ism/manifest(format=m3u8-cmaf)")
    ->{streams} // []};
($v) = grep { $_->{codec_type} eq 'video' } @s;
cmp_ok($v && $v->{nb_read_frames} // 0, '>=', 60,
    'lossy link: HLS decodes');

###############################################################################
# reload with a passphrase

$t->write_sluice_conf(http => $srt_conf
    . "\nsluice_srt_passphrase sluice-secret-1;");
my $off = $t->log_offset();
$t->reload();
ok($t->wait_log(qr/SRT listening on/, from => $off, timeout => 30),
    'after a reload, the new worker 0 listens');

my $tok7 = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a07';
my $ev7 = $t->create_live_event('srtsecret', token => $tok7,
    input => { streamingProtocol => 'SRT' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
my $loc7 = $ev7->{properties}{preview}{previewLocator};

$off = $t->log_offset();
$p = $t->publish(lavfi => { duration => 2 }, muxer => 'mpegts',
    url => "$base?streamid=#!::r=$tok7,m=publish");
ok($t->wait_log(qr/SRT publish refused \(11\): the sender has no passphrase/,
    from => $off, timeout => 30), 'without the passphrase: refused (11)');
$t->wait_publisher_exit($p, 30);
is(manifest_chunks($loc7), 0, 'without the passphrase: nothing stored');

$off = $t->log_offset();
$p = $t->publish(lavfi => { duration => 2 }, muxer => 'mpegts',
    url => "$base?streamid=#!::r=$tok7,m=publish"
        . '&passphrase=another-secret-2');
ok($t->wait_log(qr/SRT publish refused \(10\): wrong passphrase/,
    from => $off, timeout => 30), 'a wrong passphrase: refused (10)');
$t->wait_publisher_exit($p, 30);

$off = $t->log_offset();
$pub = $t->publish(lavfi => { duration => 8 }, muxer => 'mpegts',
    url => "$base?streamid=#!::r=$tok7,m=publish"
        . '&passphrase=sluice-secret-1');
ok(wait_chunks($loc7, 2), 'with the passphrase: stored');
$t->stop_publisher($pub);
ok($t->wait_log(qr/SRT stream "stream" of live event "srtsecret" .* ended/,
    from => $off, timeout => 30), 'the encrypted stream ended');

# AES-256 (the keys wrapped with a 32-byte key), srt-live-transmit
my $n7 = manifest_chunks($loc7);
$slt = slt_start("$base?streamid=#!::r=$tok7,m=publish"
    . '&passphrase=sluice-secret-1&pbkeylen=32', 10, 'libx264');
ok(wait_chunks($loc7, $n7 + 2), 'AES-256 through srt-live-transmit: stored')
    or diag(log_tail());
slt_stop($slt);

done_testing();

###############################################################################

sub log_tail {
    my $l = $t->read_file('error.log');
    return substr($l, -3000);
}

sub probe {
    my ($url) = @_;

    my ($out, $err) = ('', '');
    IPC::Run::run(['ffprobe', '-v', 'error', '-of', 'json', '-count_frames',
        '-read_intervals', '%+3', '-show_streams', $url], '<', \undef,
        '>', \$out, '2>', \$err, IPC::Run::timeout(120));
    my $j = eval { JSON::PP->new->decode($out) };
    diag("ffprobe $url: $err") unless $j && @{$j->{streams} // []};
    return $j // {};
}

sub manifest_chunks {
    my ($loc) = @_;

    my $r = $t->get("/$loc/preview.ism/manifest");
    my ($v) = ($r->{body} // '') =~ m{(<StreamIndex Type="video".*?</StreamIndex>)}s;
    my @c = ($v // '') =~ /<c\b/g;
    return scalar @c;
}

# ffmpeg's MPEG-TS through srt-live-transmit: video, French and German
sub slt_start {
    my ($url, $seconds, $vcodec) = @_;

    my @ff = ('ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error',
        '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30',
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
        '-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000',
        '-t', $seconds, '-map', '0:v', '-map', '1:a', '-map', '2:a',
        '-c:v', $vcodec, '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
        '-b:v', '300k',
        ($vcodec eq 'libx265'
            ? ('-x265-params', 'keyint=60:min-keyint=60:scenecut=0:'
               . 'bframes=0:open-gop=0:log-level=1')
            : ('-g', 60, '-keyint_min', 60, '-sc_threshold', 0)),
        '-c:a', 'aac', '-b:a', '96k',
        '-metadata:s:a:0', 'language=fra', '-metadata:s:a:1', 'language=deu',
        '-f', 'mpegts', '-');
    my $log = $t->testdir . '/slt.log';
    my $h = IPC::Run::start(\@ff, '<', \undef, '|',
        [ 'srt-live-transmit', '-q', 'file://con', $url ],
        '>', $log, '2>>', $log);
    return $h;
}

sub slt_stop {
    my ($h) = @_;

    $h->kill_kill(grace => 2) if $h->pumpable();
    eval { $h->finish() };
}

# a UDP relay to 127.0.0.1:$to that drops $loss of the datagrams each
# way; writes "{forwarded} {dropped}" to a file when it ends
sub lossy_relay {
    my ($to, $loss) = @_;

    my $front = IO::Socket::INET->new(LocalAddr => '127.0.0.1:0',
        Proto => 'udp') or die "relay: $!";
    my $back = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$to",
        Proto => 'udp') or die "relay: $!";
    my $rport = $front->sockport();
    my $stats = 'relay.stats';
    my $file = $t->testdir . "/$stats";

    my $pid = fork() // die "fork: $!";
    if ($pid) {
        close $front;
        close $back;
        return ($pid, $rport, $stats);
    }

    my ($sent, $dropped, $client) = (0, 0, undef);
    my $done = 0;
    local $SIG{TERM} = sub { $done = 1 };
    srand(42);

    my $sel = IO::Select->new($front, $back);
    while (!$done) {
        for my $s ($sel->can_read(0.2)) {
            my $buf;
            my $from = $s->recv($buf, 2048) // next;
            if (rand() < $loss) {
                $dropped++;
                next;
            }
            $sent++;
            if ($s == $front) {
                $client = $from;
                $back->send($buf);
            } elsif ($client) {
                $front->send($buf, 0, $client);
            }
        }
    }
    open my $fh, '>', $file;
    print $fh "$sent $dropped";
    close $fh;
    POSIX::_exit(0);
}

sub wait_chunks {
    my ($loc, $n) = @_;

    return $t->wait_for(sub {
        my $r = $t->get("/$loc/preview.ism/manifest");
        my ($v) = $r->{body} =~ m{(<StreamIndex Type="video".*?</StreamIndex>)}s;
        my @c = ($v // '') =~ /<c\b/g;
        return @c >= $n;
    }, timeout => 60, what => "$n fragments");
}
