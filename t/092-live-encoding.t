#!/usr/bin/perl

# Live encoding end to end: live events of encodingType Standard and
# Premium1080p fed one RTMP stream; the worker runs sluice-transcoder,
# whose layers come back as the event's tracks.
#
#   720p30 into Default720p: AMS's six layers and one audio track, the
#   source not published; the fragments of every layer start at the same
#   times, each with an IDR at the same presentation time; ffprobe reads
#   every layer, GStreamer plays the master; getStatus describes the
#   transcoder.  kill -9 of the transcoder: the event and its publisher
#   go on, a new transcoder's layers are back within two fragments of
#   timeline, and the live output's asset keeps every fragment the
#   preview had listed.  640x360 into Default720p: three layers.  60 fps:
#   30 fps layers.  A 4:3 input with AutoFit: AMS's sizes, black pillar
#   boxes; with AutoSize: the picture's aspect kept.  1080p into
#   Premium1080p: Default1080p's six layers.

use strict;
use warnings;

use Test::More;
use JSON::PP;
use IPC::Run ();
use File::Temp ();
use IO::Select;
use IO::Socket::INET;
use POSIX ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::GStreamer;
use Sluice::Players;
use Sluice::RTMP;

my $t = Test::Sluice->new();
$t->exclusive('encode');   # the machine's cores for its encoders
$t->has_program('ffmpeg', 'ffprobe');

my $xc = $ENV{SLUICE_TRANSCODER}
    // "$FindBin::Bin/../build/transcoder/sluice-transcoder";
BAIL_OUT("no $xc: run ./build.sh build") unless -x $xc;

my $play = "sluice_ladder Play {\n"
    . "    video 480x270 700k;\n"
    . "    video 320x180 350k;\n"
    . "    video 160x90 120k;\n"
    . "}\n";
my $tiny = "sluice_ladder Tiny {\n"
    . "    video 320x180 300k main fps=15;\n"
    . "    video 160x90 100k baseline;\n"
    . "    audio 96k;\n"
    . "}\n";
Sluice::Playback::config($t, http => "sluice_transcoder $xc;\n$tiny$play");
$t->run();

my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935) . '/live';
my %sizes720 = map { $_ => 1 }
    qw(1280x720 960x540 704x396 512x288 384x216 340x192);
my @sizes1080 = qw(1920x1080 1280x720 960x540 640x360 480x270 320x180);

ok(Sluice::Playback::start_endpoint($t, 'default'), 'endpoint running');

# --- 720p30 into Default720p ------------------------------------------------

my $base = event('std', 'Standard');

# the archive of the event, from its first fragment

my $arch = Sluice::Playback::record($t, 'std', 'out1', 'arch1', 'loc1');

my $src = Sluice::Ingest::fixture('av', duration => 10, gop => 2,
    size => '1280x720');
my $pub = $t->publish(input => $src, loop => 1,
    url => "$rtmp/" . token('std') . '/cam');

my $m = wait_layers($base, 6);
my %v = variants($m);
is_deeply([ sort keys %{{ map { $_->{res} => 1 } values %v }} ],
    [ sort keys %sizes720 ], 'Default720p: AMS\'s six sizes')
    or diag($m);
is(scalar(() = $m =~ /^#EXT-X-MEDIA:TYPE=AUDIO/mg), 1, 'one audio track');
ok(!grep({ $_->{bw} > 4_500_000 } values %v),
    'the source (not a layer) is not published');
like($m, qr/CODECS="avc1\.64/, 'H.264 High');

# fragments aligned: the same start times in every layer's playlist

my %times;
ok($t->wait_for(sub {
    %times = map { $_ => [ seg_times("$base/$_") ] } keys %v;
    return !grep { @{$times{$_}} < 4 } keys %times;
}, timeout => 60), 'four fragments in every layer');

my ($lo, $hi) = (0, 9**18);
for my $l (values %times) {
    $lo = $l->[0] if $l->[0] > $lo;
    $hi = $l->[-1] if $l->[-1] < $hi;
}
my %in = map { my $l = $_;
    $l => join(',', grep { $_ >= $lo && $_ <= $hi } @{$times{$l}}) }
    keys %times;
my %distinct = reverse %in;
ok(keys %distinct == 1 && (split /,/, (keys %distinct)[0]) >= 2,
    'every layer has the same fragment times')
    or diag(explain(\%in));

# each fragment of every layer starts with an IDR at the same time

my ($tcommon) = split /,/, (values %in)[0];
my %first;
for my $pl (sort keys %v) {
    (my $dir = $pl) =~ s{/Manifest.*}{};
    my $seg = $t->get("$base/$dir/Fragments(video=$tcommon,"
        . 'format=m3u8-aapl).ts');
    $first{$pl} = first_frame($seg->{body});
}
ok(!grep({ !$_->{key_frame} || ($_->{pict_type} // '') ne 'I' }
    values %first), 'the fragment starts with an I frame in every layer')
    or diag(explain(\%first));
my %pts = map { sprintf('%.3f', $_->{pts_time} // -1) => 1 } values %first;
is(scalar keys %pts, 1, 'at the same presentation time in every layer')
    or diag(explain(\%first));

# ffprobe reads every layer; GStreamer plays the master

for my $pl (sort keys %v) {
    my ($j, $err) = Sluice::Playback::ffprobe($t, "$base/$pl");
    my ($s) = grep { ($_->{codec_type} // '') eq 'video' }
        @{$j->{streams} // []};
    is(($s->{width} // 0) . 'x' . ($s->{height} // 0), $v{$pl}{res},
        "ffprobe: layer $v{$pl}{res}") or diag($err);
}

SKIP: {
    my $miss = Sluice::GStreamer::missing();
    skip "GStreamer: $miss missing", 2 if $miss;

    my ($g) = Sluice::GStreamer::play_many([ [ 'playbin3',
        Sluice::Playback::url($t, "$base/manifest(format=m3u8-cmaf).m3u8"),
        12 ] ]);
    ok(!@{$g->{errors}} && $g->{video_span} >= 4,
        'GStreamer plays the ladder') or diag(join "\n", @{$g->{errors}},
        "video pts span $g->{video_span}, audio $g->{audio_span}");
    ok($g->{width} > 0, "GStreamer decodes ($g->{width}x$g->{height})");
}

# getStatus

my $st = status('std');
like($st, qr/"healthStatus":"(?:Excellent|Good)"/, 'getStatus: healthy');
like($st, qr/Transcoder running \(pid \d+, started 1 times\): 6 layers/,
    'getStatus: the transcoder and its six layers') or diag($st);
like($t->read_file('error.log') // '',
    qr/\[notice\] .*transcoder \d+: progress frames=\d+ fps=[\d.]+ lag_ms=/,
    'the error log has its progress at notice level');

# kill -9 of the transcoder

my ($pid) = $st =~ /pid (\d+)/;
my $vtop = (grep { $v{$_}{res} eq '1280x720' } keys %v)[0];
my @before = seg_times("$base/$vtop");
my %listed = map { my $l = $_; map { ("$l $_" => 1) }
    seg_times("$base/$l") } keys %v;

# (nginx's SIGCHLD handler of the worker says so at alert level)
$t->expect_errors(qr/unknown process \d+ exited on signal 9/);
ok($pid && kill('KILL', $pid), "kill -9 of transcoder $pid");

ok($t->wait_for(sub { status('std') =~ /pid (\d+), started 2 times/ },
    timeout => 20), 'a new transcoder runs') or diag(status('std'));

# back: a discontinuity, then two fragments; the time missing between
# the end of the fragment before it and the start of the one after it

my ($end, $back);
ok($t->wait_for(sub {
    my $pl = $t->get("$base/$vtop")->{body} // '';
    return unless $pl =~ /\#EXTINF:([\d.]+),\n[^\n]*\(video=(\d+)[^\n]*\n
                         \#EXT-X-DISCONTINUITY\n(?:\#(?!EXTINF)[^\n]*\n)*
                         \#EXTINF:[\d.]+,\n[^\n]*\(video=(\d+)[^\n]*\n
                         \#EXTINF:/x;
    ($end, $back) = ($2 + $1 * 90_000, $3);
    return $3 > $before[-1];
}, timeout => 40), 'the top layer goes on after a discontinuity');

ok(Sluice::Ingest::publisher_running($t, $pub),
    'the contribution stream stayed connected');
is(state('std'), 'Running', 'the event stayed Running');

my $missing = (($back // 0) - ($end // 0)) / 90_000;
ok(defined $back && $missing <= 2 * 2 + 0.1,
    'the ladder is back within two fragments ('
    . sprintf('%.2f', $missing) . ' s of timeline missing)');

my %rest;
ok($t->wait_for(sub {
    %rest = %listed;
    for my $l (keys %v) {
        (my $dir = $l) =~ s{/Manifest.*}{};
        for (seg_times("$arch->{Hls}[0]" =~ s{manifest.*}{}r . $l)) {
            delete $rest{"$l $_"};
        }
    }
    return !%rest;
}, timeout => 20), 'the archive has every fragment listed before the kill')
    or diag(join ' ', sort keys %rest);

# a hung transcoder (SIGSTOP): killed after 20 s of silence, started again

($pid) = status('std') =~ /pid (\d+)/;
$t->expect_errors(qr/transcoder \d+ said nothing for \d+ ms, killed as hung/);
ok($pid && kill('STOP', $pid), "transcoder $pid stopped (hung)");
ok($t->wait_log(qr/transcoder $pid said nothing for \d+ ms, killed as hung/,
    timeout => 40), 'the worker kills it as hung');
ok($t->wait_for(sub { status('std') =~ /pid (\d+), started 3 times/ },
    timeout => 20), 'and starts another') or diag(status('std'));
is(state('std'), 'Running', 'the event still Running');

$t->stop_publisher($pub);

# --- 640x360 into Default720p: three layers; 60 fps: 30 fps layers -------

$base = event('small', 'Standard');
$pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
    gop => 2, size => '640x360', fps => 60), loop => 1,
    url => "$rtmp/" . token('small') . '/cam');
$m = wait_layers($base, 3);
%v = variants($m);
is_deeply([ sort map { $_->{res} } values %v ],
    [ sort qw(512x288 384x216 340x192) ], '640x360: three layers, no upscale')
    or diag($m);
ok(!grep({ ($_->{fps} // 0) != 30 } values %v), '60 fps in, 30 fps out')
    or diag($m);
$t->stop_publisher($pub);

# --- stretch modes of a 4:3 input ------------------------------------------

$base = event('fit', 'Standard', stretchMode => 'AutoFit');
$pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
    gop => 2, size => '640x480'), loop => 1,
    url => "$rtmp/" . token('fit') . '/cam');
$m = wait_layers($base, 3);
%v = variants($m);
my ($fit) = grep { $v{$_}{res} eq '512x288' } keys %v;
ok($fit, 'AutoFit: the 512x288 layer at its size') or diag($m);
(my $fdir = $fit // '') =~ s{/Manifest.*}{};
my ($ft) = seg_times("$base/" . ($fit // 'x'));
my $luma = edge_luma($t->get("$base/$fdir/Fragments(video=" . ($ft // 0)
    . ',format=m3u8-aapl).ts')->{body});
ok(defined $luma && $luma < 24, 'AutoFit: black pillar boxes (left edge'
    . ' luma ' . ($luma // 'none') . ')');
$t->stop_publisher($pub);

$base = event('size', 'Standard', stretchMode => 'AutoSize');
$pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
    gop => 2, size => '640x480'), loop => 1,
    url => "$rtmp/" . token('size') . '/cam');
$m = wait_layers($base, 3);
%v = variants($m);
ok(grep({ $_->{res} eq '384x288' } values %v),
    'AutoSize: 4:3 kept inside 512x288 (384x288)') or diag($m);
$t->stop_publisher($pub);

# --- 1080p into Premium1080p (10 fps: six layers on two cores) --------------

$base = event('prem', 'Premium1080p');
$pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
    gop => 2, size => '1920x1080', fps => 10), loop => 1,
    url => "$rtmp/" . token('prem') . '/cam');
$m = wait_layers($base, 6, 60);
%v = variants($m);
is_deeply([ sort map { $_->{res} } values %v ], [ sort @sizes1080 ],
    'Default1080p: AMS\'s six sizes') or diag($m);
$t->stop_publisher($pub);

# --- a ladder of nginx.conf; a feed without audio ----------------------------

$base = event('tiny', 'Standard', presetName => 'Tiny');
$pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
    gop => 2, size => '320x180', audio => 0), loop => 1,
    url => "$rtmp/" . token('tiny') . '/cam');
$m = wait_layers($base, 2);
%v = variants($m);
is_deeply([ sort map { "$_->{res}\@" . ($_->{fps} // 0) } values %v ],
    [ sort '320x180@15.000', '160x90@30.000' ],
    'sluice_ladder Tiny: its sizes and frame rate caps') or diag($m);
unlike($m, qr/TYPE=AUDIO/, 'a feed without audio: layers without audio');
is(state('tiny'), 'Running', 'and the event runs');
$t->stop_publisher($pub);

# --- video the transcoder cannot read: Enhanced RTMP (an H.265 ex-header
# tag) and a legacy FLV codec id other than 7: the feed closed with the
# reason, the event goes on

for my $c ([ 'ertmp', "\x90hvc1\0\0\0\0\x01", 'Enhanced RTMP' ],
    [ 'flv12', "\x1c\0\0\0\0\x01", 'this FLV codec' ])
{
    my $coff = $t->log_offset();
    my $p = Sluice::RTMP->new(port => $t->port(1935),
        app => 'live/' . token('tiny'));
    $p->publish($c->[0]);
    $p->message(9, 0, $c->[1]);
    ok($t->wait_for(sub { $p->poll(); $p->closed() }, timeout => 10)
        && $t->wait_log(qr/live event "tiny", stream "$c->[0]": live encoding takes H\.264 video \(FLV codec 7\), not \Q$c->[2]\E/,
            timeout => 10, from => $coff),
        "$c->[0]: the feed closed with the reason");
    $p->close();
}
$t->expect_errors(qr/live encoding takes H\.264 video/);
is(state('tiny'), 'Running', 'the event goes on');

# --- an IP allow-list that does not name the machine itself: the feed from
# an allowed address (127.0.0.2, through a relay of this test), the
# transcoder's layers (127.0.0.1, with the event's key) admitted all the
# same; another encoder from 127.0.0.1 refused

my $acl = $t->create_live_event('acl', token => token('acl'), timeout => 30,
    input => { keyFrameIntervalDuration => '', accessControl => { ip => {
        allow => [ { name => 'encoder', address => '127.0.0.2',
            subnetPrefixLength => 32 } ] } } },
    properties => { encoding => { encodingType => 'Standard',
        presetName => 'Tiny' } });
BAIL_OUT('live event acl') unless $acl;
$base = "/$acl->{properties}{preview}{previewLocator}/preview.ism";

my $rl = relay_from('127.0.0.2', $t->port(1935));
$pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
    gop => 2, size => '320x180'), loop => 1,
    url => "rtmp://127.0.0.1:$rl/live/" . token('acl') . '/cam');
$m = wait_layers($base, 2);
is(scalar keys %{{ variants($m) }}, 2,
    'allow-list without 127.0.0.1: the transcoder\'s layers admitted')
    or diag($t->read_file('error.log'));
my $aoff = $t->log_offset();
my $intruder = $t->publish(input => Sluice::Ingest::fixture('av',
    duration => 10, gop => 2, size => '320x180'),
    url => "$rtmp/" . token('acl') . '/cam2');
ok($t->wait_log(qr/publish refused: client address not allowed by the live event, live event "acl", stream "cam2"/,
    timeout => 20, from => $aoff), 'an encoder from 127.0.0.1 refused');
$t->expect_errors(qr/client address not allowed by the live event, live event "acl"/);
$t->stop_publisher($intruder);
$t->stop_publisher($pub);

# --- bad input: undecodable frames (1 to 2 s), the resolution changes
# mid-stream, then the timestamps jump 15 s (over 10 s and two
# fragments): log lines, the same transcoder goes on, the layers too

$base = event('bad', 'Standard', presetName => 'Tiny');
my $spliced = flv_splice(
    Sluice::Ingest::fixture('av', duration => 6, gop => 2,
        size => '320x180'),
    Sluice::Ingest::fixture('av', duration => 8, gop => 2,
        size => '256x144'),
    'spliced.flv', 4000, 8000, 15_000);
$spliced = flv_damage($spliced, 'damaged.flv', 1000, 2000);
$pub = $t->publish(input => $spliced, url => "$rtmp/" . token('bad') . '/cam');
ok(defined Sluice::Ingest::wait_publisher_exit($t, $pub, 60),
    'bad: the feed ended');
ok($t->wait_log(qr/transcoder \d+: sluice-transcoder: [^\n]*video: undecodable frame at \d+ ms skipped/,
    timeout => 20), 'bad: the undecodable frames logged');
ok($t->wait_log(qr/transcoder \d+: sluice-transcoder: [^\n]*new codec or sequence header/,
    timeout => 20), 'bad: the new sequence header logged');
ok($t->wait_log(qr/transcoder \d+: sluice-transcoder: [^\n]*the input is now 256x144, scaled to the same layers/,
    timeout => 20), 'bad: the new size logged');
ok($t->wait_log(qr/timestamp jump of \d+ ms in "cam", timeline continues/,
    timeout => 20), 'bad: the jump logged');
my @bt = seg_times("$base/" . ((grep { m{/Manifest\(video} }
    keys %{{ variants($t->get("$base/manifest(format=m3u8-aapl)")->{body})
    }})[0] // 'x'));
ok(@bt && $bt[-1] >= 10 * 90_000,
    'bad: the layers went on past the change and the jump (to '
    . sprintf('%.1f', ($bt[-1] // 0) / 90_000) . ' s)');
unlike($t->read_file('error.log') // '', qr/"bad": transcoder \d+ exited/,
    'bad: the transcoder never died');
is(state('bad'), 'Running', 'bad: the event still Running');

# --- hls.js and dash.js switch between the layers of a transcoded ladder ----

SKIP: {
    my $why = Sluice::Players::not_ready()
        // ($ENV{SLUICE_SANITIZE} ? 'the sanitizer pass leaves the '
            . 'browser players to the normal one (build.sh)' : undef);
    skip "players: $why", 3 if $why;

    $base = event('play', 'Standard', presetName => 'Play');
    $pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
        gop => 2, size => '480x270'), loop => 1,
        url => "$rtmp/" . token('play') . '/cam');
    wait_layers($base, 3);
    ok(Sluice::Playback::wait_fragments($t, "$base/manifest", 4),
        'Play: fragments in every layer');

    my $http = Sluice::Playback::url($t, $base);
    my @cases = (
        [ 'hls.js HLS fMP4', 'hls', "$http/manifest(format=m3u8-cmaf).m3u8" ],
        [ 'dash.js DASH CMAF', 'dash',
          "$http/manifest(format=mpd-time-cmaf).mpd" ],
    );
    my @r = Sluice::Players::play_many($t, [ map { [ $_->[1], $_->[2],
        seconds => 6, timeout => 75, switch => 3 ] } @cases ],
        jobs => 2);

    for my $c (@cases) {
        my $r = shift @r;
        my %seen = map { $_ => 1 } @{ $r->{heightsSeen} // [] };
        ok($r->{ok} && @{ $r->{switches} // [] } >= 3
            && (join ',', sort { $a <=> $b } keys %seen) eq '90,180,270',
            "$c->[0]: three switches across the transcoded layers, no "
            . 'stall over 1 s') or diag(Sluice::Players::json($r));
    }

    $t->stop_publisher($pub);
}

# --- an encoder the FFmpeg build has not: clear lines, the event goes on ----

# (the reload makes the workers exit: no transcoder, nor its layers'
# RTMP sessions, may be left in them)
ok(transcoders_ended(), 'the transcoders ended with their feeds');

my $off = $t->log_offset();
$t->write_sluice_conf(http => "sluice_transcoder $xc;\n"
    . "sluice_transcoder_encoder h264_doesnotexist;\n$tiny$play",
    server => "server_name localhost;\n",
    location => "aio threads=sluice;\n");
ok($t->reload(), 'reload with sluice_transcoder_encoder h264_doesnotexist');
$t->expect_errors(qr/h264_doesnotexist/);

$base = event('nohw', 'Standard', presetName => 'Tiny');
$pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 10,
    gop => 2, size => '320x180'), loop => 1,
    url => "$rtmp/" . token('nohw') . '/cam');
ok($t->wait_log(qr/transcoder \d+: sluice-transcoder: [^\n]*h264_doesnotexist/,
    timeout => 30, from => $off), 'the transcoder says the encoder is missing');
ok($t->wait_log(qr/transcoder \d+ exited after \d+ ms, restarting in 500 ms/,
    timeout => 30, from => $off), 'restarted later each time');
like(status('nohw'), qr/"healthStatus":"Poor"/, 'getStatus: Poor');
ok(Sluice::Ingest::publisher_running($t, $pub),
    'the contribution stream stays connected');
$t->stop_publisher($pub);

ok(transcoders_ended(), 'every transcoder ended after its feed');

$t->done_testing();


sub token { return "enc-$_[0]-0123456789abcdef" }

# the tags of FLV a before cut ms, then those of b shifted by cut ms;
# from "at" ms on, every time "jump" ms later
sub flv_splice {
    my ($a, $b, $out, $cut, $at, $jump) = @_;

    my ($hdr, @ta) = flv_tags($a);
    my (undef, @tb) = flv_tags($b);
    my $o = $hdr;

    for my $tag (grep { $_->[0] == 18 || $_->[1] < $cut } @ta) {
        $o .= $tag->[2];
    }

    for my $tag (grep { $_->[0] != 18 } @tb) {
        my $d = $tag->[2];
        my $ts = $tag->[1] + $cut;
        $ts += $jump if $ts >= $at;
        substr($d, 4, 3) = substr(pack('N', $ts), 1, 3);
        substr($d, 7, 1) = chr($ts >> 24);
        $o .= $d;
    }

    return $t->write_file($out, $o);
}

# the inter frames of FLV "in" from "from" ms to before "to" ms made
# undecodable: their first NAL unit's length far past the packet's end
sub flv_damage {
    my ($in, $out, $from, $to) = @_;

    my ($o, @tags) = flv_tags($in);

    for my $tag (@tags) {
        my $d = $tag->[2];
        if ($tag->[0] == 9 && $tag->[1] >= $from && $tag->[1] < $to
            && substr($d, 11, 2) eq "\x27\x01")
        {
            substr($d, 16, 4) = pack('N', 0x7fffff00);
        }
        $o .= $d;
    }

    return $t->write_file($out, $o);
}

# (file header, [ type, timestamp, tag bytes with the previous size ]...)
sub flv_tags {
    my ($f) = @_;

    my $d = $t->read_file($f);
    my $hl = unpack('N', substr($d, 5, 4));
    my $p = $hl + 4;
    my @tags;

    while ($p + 15 <= length $d) {
        my $size = unpack('N', "\0" . substr($d, $p + 1, 3));
        last if $p + 15 + $size > length $d;
        my $ts = unpack('N', "\0" . substr($d, $p + 4, 3))
            | (ord(substr($d, $p + 7, 1)) << 24);
        push @tags, [ ord(substr($d, $p, 1)), $ts,
            substr($d, $p, 15 + $size) ];
        $p += 15 + $size;
    }

    return (substr($d, 0, $hl + 4), @tags);
}

# a TCP relay on 127.0.0.1 whose connections to port "to" come from
# address "from"; its port
sub relay_from {
    my ($from, $to) = @_;

    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
        Listen => 8, ReuseAddr => 1) or die "relay: $!";
    my $port = $l->sockport();

    my $pid = fork() // die "fork: $!";

    if ($pid) {
        close $l;
        $t->on_cleanup(sub { kill 'KILL', $pid; waitpid($pid, 0) });
        return $port;
    }

    my $sel = IO::Select->new($l);
    my %peer;

    while (1) {
        for my $s ($sel->can_read(1)) {
            if ($s == $l) {
                my $c = $l->accept() or next;
                my $u = IO::Socket::INET->new(LocalAddr => $from,
                    PeerAddr => '127.0.0.1', PeerPort => $to) or next;
                $peer{"$c"} = $u;
                $peer{"$u"} = $c;
                $sel->add($c, $u);
                next;
            }

            my $o = $peer{"$s"};
            my $n = sysread($s, my $d, 65536);

            if (!$n || !$o) {
                for my $x (grep { defined } $s, $o) {
                    $sel->remove($x);
                    delete $peer{"$x"};
                    close $x;
                }
                next;
            }

            while (length $d) {
                my $w = syswrite($o, $d) // POSIX::_exit(1);
                substr($d, 0, $w, '');
            }
        }
    }
}

# every transcoder started has ended or exited (the error log says so)
sub transcoders_ended {
    return $t->wait_for(sub {
        my $log = $t->read_file('error.log') // '';
        my %run = map { $_ => 1 } $log =~ /transcoder (\d+) started/g;
        delete $run{$_} for $log =~ /transcoder (\d+) (?:ended|exited)/g;
        return !%run;
    }, timeout => 30);
}

# a running live encoding event; its preview base path
sub event {
    my ($name, $type, %enc) = @_;

    my $ev = $t->create_live_event($name, token => token($name),
        timeout => 30, input => { keyFrameIntervalDuration => '' },
        properties => { encoding => { encodingType => $type, %enc } });
    BAIL_OUT("live event $name") unless $ev;

    return "/$ev->{properties}{preview}{previewLocator}/preview.ism";
}

sub state {
    return $t->api(GET => "liveEvents/$_[0]")->{json}{properties}
        {resourceState} // '';
}

sub status {
    return $t->api(POST => "liveEvents/$_[0]/getStatus")->{body} // '';
}

# the HLS master once it has n video layers
sub wait_layers {
    my ($base, $n, $timeout) = @_;
    my $m = '';

    $t->wait_for(sub {
        $m = $t->get("$base/manifest(format=m3u8-aapl)")->{body} // '';
        return variants($m) >= $n;
    }, timeout => $timeout // 45);

    return $m;
}

# media playlist => { res, bw, fps }; in scalar context, how many
sub variants {
    my ($m) = @_;
    my %v;

    while (($m // '') =~ /^#EXT-X-STREAM-INF:([^\n]*)\n([^\n]+)/mg) {
        my ($a, $uri) = ($1, $2);
        my ($res) = $a =~ /RESOLUTION=(\d+x\d+)/;
        my ($bw) = $a =~ /\bBANDWIDTH=(\d+)/;
        my ($fps) = $a =~ /FRAME-RATE=([\d.]+)/;
        $v{$uri} = { res => $res // '', bw => $bw // 0, fps => $fps };
    }

    return wantarray ? %v : scalar keys %v;
}

# the start times (90 kHz) of a media playlist's segments
sub seg_times {
    my ($path) = @_;
    my $b = $t->get($path)->{body} // '';
    return map { /Fragments\(video=(\d+)/ ? $1 : () }
        map { $_->[0] } Sluice::Playback::segments($b);
}

# the first video frame of a TS segment: key_frame, pict_type, pts_time
sub first_frame {
    my ($ts) = @_;

    my $tmp = File::Temp->new(SUFFIX => '.ts', DIR => $t->testdir);
    print $tmp $ts // '';
    close $tmp;

    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-select_streams', 'v',
        '-show_frames', '-read_intervals', '%+#1', '-show_entries',
        'frame=key_frame,pict_type,pts_time', '-of', 'json',
        $tmp->filename ], '<', \undef, '>', \$out, '2>', \$err,
        IPC::Run::timeout(30));

    my $j = eval { JSON::PP::decode_json($out) } // {};
    return $j->{frames}[0] // {};
}

# mean luma of the 32 leftmost columns of a TS segment's first frame
sub edge_luma {
    my ($ts) = @_;

    my $tmp = File::Temp->new(SUFFIX => '.ts', DIR => $t->testdir);
    print $tmp $ts // '';
    close $tmp;

    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffmpeg', '-v', 'info', '-i', $tmp->filename,
        '-frames:v', 1, '-vf', 'crop=32:ih:0:0,signalstats,'
        . 'metadata=print:key=lavfi.signalstats.YAVG', '-f', 'null', '-' ],
        '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(30));

    return $err =~ /lavfi\.signalstats\.YAVG=([\d.]+)/ ? $1 : undef;
}
