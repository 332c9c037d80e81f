#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# CEA-608 closed captions carried in the H.264 SEI (ATSC A/53 GA94
# cc_data), end to end.  The captioned source is made here: x264 without
# B-frames, 24 s, then a CEA-608 pop-on caption ("SLUICE CAPTION n",
# field 1: CC1) every second inserted as an SEI NAL unit before each
# picture from 8 s on (before that, no caption data at all), remuxed to
# FLV with -c copy.
#
#  - RTMP (onMetaData language "spa", the file looped): the manifests
#    signal nothing until the captions come, then (the mid-stream info
#    update) the HLS masters list #EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,
#    GROUP-ID="cc",NAME="CEA608_CC",INSTREAM-ID="CC1" with LANGUAGE
#    "spa" and CLOSED-CAPTIONS="cc" on the variant, the MPD an
#    Accessibility urn:scte:dash:cc:cea-608:2015 "CC1=spa" on the video
#    AdaptationSet, Smooth nothing; a TS segment and a CMAF segment of
#    the captioned part still carry them (ffprobe closed_captions, and
#    FFmpeg's CEA-608 decoder reads the text back from the TS segment);
#    hls.js shows them as a captions text track with the text.
#  - a stream without captions: no caption signalling anywhere, its
#    segments none.
#  - fragmented-MP4 ingest (ffmpeg -f ismv of the same file): signalled
#    too, "CC1=eng" (no language).
#  - a recording of the RTMP event from its start: its video slot's
#    descriptor (version 3), rewritten when the captions came, says CC1,
#    the asset's manifests signal it; rewritten as version 2 (before
#    captions were stored) it still plays, without signalling.

use strict;
use warnings;

use Test::More;
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(
    http => "sluice_transition_time 0s;",
    server => "server_name localhost;\n"
        . "location ~* /ingest\\.isml {\n"
        . "    sluice_fmp4_ingest;\n"
        . "    client_body_timeout 10s;\n"
        . "}\n",
    location => "aio threads=sluice;");
$t->run();

my $dir = $t->testdir;
my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935) . '/live';
my $http = 'http://127.0.0.1:' . $t->port(8080);

my $cc = captioned_fixture("$dir/cc", 24, 240);
ok($cc, 'captioned source made') or BAIL_OUT('no captioned source');
my $plain = Sluice::Ingest::fixture('av', duration => 8, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $tok1 = 'cc01cc01cc01cc01cc01cc01cc01cc01';
my $tok2 = 'cc02cc02cc02cc02cc02cc02cc02cc02';
my $tok3 = 'cc03cc03cc03cc03cc03cc03cc03cc03';

my $loc1 = $t->create_preview_event('captions', $tok1);
my $loc2 = $t->create_preview_event('nocaptions', $tok2);
my $ev3 = $t->create_live_event('captionsfmp4', token => $tok3,
    input => { streamingProtocol => 'FragmentedMP4' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
my $loc3 = $ev3 && $ev3->{properties}{preview}{previewLocator};
ok($loc1 && $loc2 && $loc3, 'three live events') or BAIL_OUT('no events');

my $base1 = "/$loc1/preview.ism";
my $base2 = "/$loc2/preview.ism";
my $base3 = "/$loc3/preview.ism";

my $ccre = qr/closed captions in the video of "cc": CEA-608 CC1(?! CEA)/;

# a recording of the captioned event from its start (before the captions)

my $paths = Sluice::Playback::record($t, 'captions', 'rec', 'ccasset',
    'ccloc', manifestName => 'show');
my ($abase) = (($paths->{SmoothStreaming} // [])->[0] // '')
    =~ m{^(/[^/]+/show\.ism)/manifest$};
ok($abase, 'a locator of the recording') or BAIL_OUT('no locator');

###############################################################################
# RTMP: nothing signalled before the captions come, then CC1

my $from = $t->log_offset();

$t->publish(input => $cc, loop => 1, url => "$rtmp/$tok1/cc",
    args => [ '-metadata', 'language=spa' ]);
$t->publish(input => $plain, loop => 1, url => "$rtmp/$tok2/plain");

ok(Sluice::Playback::wait_fragments($t, "$base1/manifest", 1),
    'captioned stream: a fragment') or BAIL_OUT($t->error_log());

# the captions begin 8 s in (at least 5 s of wall clock away): if the
# log does not name them yet, neither may the master

my $early = $t->get("$base1/manifest(format=m3u8-aapl)")->{body} // '';
my $seen = substr($t->error_log(), $from) =~ $ccre;

SKIP: {
    skip 'captions found before the first master could be read', 2 if $seen;

    like($early, qr/^#EXT-X-STREAM-INF:/m, 'before the captions: a master');
    unlike($early, qr/CLOSED-CAPTIONS/,
        'before the captions: no caption signalling') or diag($early);
}

ok($t->wait_log($ccre, from => $from, timeout => 40),
    'captions found at ingest, logged');

my $m = '';
ok($t->wait_for(sub {
    $m = $t->get("$base1/manifest(format=m3u8-aapl)")->{body} // '';
    return $m =~ /CLOSED-CAPTIONS/;
}, timeout => 20, interval => 0.5, what => 'captions in the master'),
    'the master picks them up mid-stream') or diag($m);

my $media = '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",'
    . 'LANGUAGE="spa",NAME="CEA608_CC",INSTREAM-ID="CC1"';

for my $f (qw(m3u8-aapl m3u8-cmaf m3u8-aapl-v3)) {
    my $b = $t->get("$base1/manifest(format=$f)")->{body} // '';
    my @inf = $b =~ /^(#EXT-X-STREAM-INF:.*)$/mg;

    is(scalar(() = $b =~ /^\Q$media\E$/mg), 1, "$f: the CC1 rendition")
        or diag($b);
    is(scalar(() = $b =~ /TYPE=CLOSED-CAPTIONS/g), 1,
        "$f: no other (no CC3, no SERVICE1)");
    ok(@inf == 1 && $inf[0] =~ /,CLOSED-CAPTIONS="cc"$/,
        "$f: the variant says CLOSED-CAPTIONS=\"cc\"");
}

is(scalar(() = substr($t->error_log(), $from) =~ /closed captions in/g), 1,
    'logged once');

my $mpd = $t->get("$base1/manifest(format=mpd-time-csf)")->{body} // '';
my ($vset) = $mpd
    =~ /(<AdaptationSet[^>]*contentType="video".*?<\/AdaptationSet>)/s;
like($vset // '', qr{<Accessibility \s schemeIdUri="urn:scte:dash:cc:
    cea-608:2015" \s value="CC1=spa"/>}x,
    'DASH: Accessibility CC1=spa on the video AdaptationSet') or diag($mpd);
is(scalar(() = $mpd =~ /<Accessibility/g), 1, 'DASH: once, on video only');

my $ss = $t->get("$base1/manifest")->{body} // '';
ok($ss =~ /<SmoothStreamingMedia/ && $ss !~ /CC1|caption|608/i,
    'Smooth: nothing signalled');

###############################################################################
# the segments still carry the captions

# a segment of the captioned part of the looped 24 s file (8 s to 22 s)

my $ts_seg = captioned_segment('m3u8-aapl');
my $cmaf_seg = captioned_segment('m3u8-cmaf');

ok($ts_seg && $cmaf_seg, 'captioned segments listed')
    or diag($t->get("$base1/manifest(format=m3u8-aapl)")->{body});

download($ts_seg->[0], "$dir/cc.ts") if $ts_seg;
is(closed_captions("$dir/cc.ts"), 1, 'TS segment: closed captions (ffprobe)');
like(decode_608("$dir/cc.ts"), qr/SLUICE CAPTION \d/,
    'TS segment: the CEA-608 decoder reads the caption text');

if ($cmaf_seg && download($cmaf_seg->[1], "$dir/init.mp4")
    && download($cmaf_seg->[0], "$dir/seg.m4s"))
{
    concat("$dir/cc.mp4", "$dir/init.mp4", "$dir/seg.m4s");
}
is(closed_captions("$dir/cc.mp4"), 1,
    'CMAF segment (init + fragment): closed captions (ffprobe)');

###############################################################################
# no captions: no signalling

ok(Sluice::Playback::wait_fragments($t, "$base2/manifest", 2),
    'stream without captions: fragments');

for my $f (qw(m3u8-aapl m3u8-cmaf)) {
    my $b = $t->get("$base2/manifest(format=$f)")->{body} // '';
    ok($b =~ /^#EXT-X-STREAM-INF:/m && $b !~ /CLOSED-CAPTIONS/,
        "no captions, $f: no CLOSED-CAPTIONS (not even NONE)") or diag($b);
}

my $mpd2 = $t->get("$base2/manifest(format=mpd-time-cmaf)")->{body} // '';
ok($mpd2 =~ /<AdaptationSet/ && $mpd2 !~ /Accessibility|urn:scte:dash:cc/,
    'no captions, DASH: no Accessibility');

my $pseg = any_segment("$base2/QualityLevels", 'm3u8-aapl');
ok($pseg && download($pseg, "$dir/plain.ts"), 'a segment without captions');
is(closed_captions("$dir/plain.ts"), 0, '... has none (ffprobe)');

###############################################################################
# hls.js: a captions text track with the text

SKIP: {
    my $why = Sluice::Players::not_ready();
    skip $why, 2 if $why;

    my $r = Sluice::Players::play($t, 'hls',
        "$http$base1/manifest(format=m3u8-aapl)", seconds => 12,
        timeout => 90);
    ok($r->{ok}, 'hls.js plays the captioned stream')
        or diag(Sluice::Players::json($r));

    my @cc = grep { $_->{kind} eq 'captions' } @{ $r->{textTracks} // [] };
    ok(scalar(grep { grep { /SLUICE CAPTION \d/ } @{ $_->{texts} } } @cc),
        'hls.js: a captions text track shows the caption text')
        or diag(Sluice::Players::json($r->{textTracks} // []));
}

###############################################################################
# fragmented-MP4 ingest of the same file

my $enc = IPC::Run::start([ 'ffmpeg', '-nostdin', '-hide_banner',
    '-loglevel', 'error', '-re', '-i', $cc, '-t', 12, '-c', 'copy',
    '-movflags', 'isml+frag_keyframe+delay_moov', '-f', 'ismv',
    "$http/$tok3/ingest.isml/Streams(video1)" ],
    '<', \undef, '>&', "$dir/ismv.log", IPC::Run::timeout(90));

my $m3 = '';
ok($t->wait_for(sub {
    $m3 = $t->get("$base3/manifest(format=m3u8-cmaf)")->{body} // '';
    return $m3 =~ /CLOSED-CAPTIONS="cc"/;
}, timeout => 40, interval => 0.5, what => 'fMP4 ingest: captions'),
    'fMP4 ingest: the master signals the captions') or diag($m3);
like($m3, qr/^\#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",
    NAME="CEA608_CC",INSTREAM-ID="CC1"$/mx, 'fMP4 ingest: CC1, no language');
like($t->get("$base3/manifest(format=mpd-time-cmaf)")->{body} // '',
    qr{<Accessibility \s schemeIdUri="urn:scte:dash:cc:cea-608:2015"
       \s value="CC1=eng"/>}x,
    'fMP4 ingest, DASH: CC1=eng');

eval { $enc->finish() };
eval { $enc->kill_kill() } if $@;

###############################################################################
# the recording: asset descriptor version 3 with the captions (rewritten
# when they came); version 2 read

my $aid = $t->api(GET => 'assets/ccasset')->{json}{properties}{assetId};
my $adir = "$dir/data/assets/$aid";

ok($t->wait_for(sub {
    my ($v) = grep { $_->{type} eq 'video' } Sluice::Record::slots($adir);
    return $v && @{ $v->{records} } >= 2;
}, timeout => 30, interval => 0.5, what => 'recorded fragments'),
    'recorded fragments');

my %slot = map { $_->{type} => $_ } Sluice::Record::slots($adir);
is(join(' ', map { "$_->{version}/$_->{captions}" } @slot{qw(video audio)}),
    '3/1 3/0', 'descriptors: version 3, CC1 in the video (since the '
    . 'captions came), none in the audio');

my $am = $t->get("$abase/manifest(format=m3u8-aapl)")->{body} // '';
like($am, qr/^\Q$media\E$/m, 'the asset: CC1 in the master') or diag($am);

ok(Sluice::Record::delete_output($t, 'captions', 'rec'), 'output deleted');

ok(Sluice::Record::make_v2($slot{video}), 'video descriptor as version 2');
my ($v2) = grep { $_->{type} eq 'video' } Sluice::Record::slots($adir);
is(($v2->{version} // '') . ' ' . (-s "$slot{video}{dir}/track"), '2 704',
    '... version 2, 704 bytes');

my $vod = $t->get("$abase/manifest(format=m3u8-aapl)")->{body} // '';
ok($vod =~ /^#EXT-X-STREAM-INF:/m && $vod !~ /CLOSED-CAPTIONS/,
    'version 2 descriptor: the asset plays, no caption signalling')
    or diag($vod);

my $vpath = any_segment("$abase/QualityLevels", 'm3u8-aapl', 1);
ok($vpath && download($vpath, "$dir/vod.ts")
    && closed_captions("$dir/vod.ts") >= 0,
    'version 2 descriptor: a segment of the asset served');

$t->done_testing();

###############################################################################

# The captioned source: $secs s of 320x180 x264 (no B-frames, a keyframe
# every 2 s) and AAC in FLV; from frame $first on, each picture has an
# SEI with one CEA-608 field 1 pair: a pop-on caption every 30 frames,
# null padding between

sub captioned_fixture {
    my ($stem, $secs, $first) = @_;

    my $log = '';
    IPC::Run::run([ 'ffmpeg', '-nostdin', '-hide_banner', '-loglevel',
        'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30',
        '-t', $secs, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt',
        'yuv420p', '-bf', 0, '-g', 60, '-keyint_min', 60, '-sc_threshold', 0,
        '-b:v', '300k', '-x264-params', 'open_gop=0', '-f', 'h264',
        "$stem.h264" ], '<', \undef, '>&', \$log)
        or return diag("x264: $log");

    my $es = $t->read_file("$stem.h264") // return;
    open my $fh, '>:raw', "$stem.cc.h264" or return;
    print $fh insert_captions($es, $first);
    close $fh;

    IPC::Run::run([ 'ffmpeg', '-nostdin', '-hide_banner', '-loglevel',
        'error', '-y', '-framerate', 30, '-f', 'h264', '-i', "$stem.cc.h264",
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
        '-t', $secs, '-map', '0:v', '-map', '1:a', '-c:v', 'copy',
        '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', "$stem.flv" ],
        '<', \undef, '>&', \$log)
        or return diag("remux: $log");

    return "$stem.flv";
}

# an SEI NAL unit before the first slice of each picture from $first on

sub insert_captions {
    my ($es, $first) = @_;

    my @pos;
    push @pos, pos($es) while $es =~ /\x00\x00\x01/g;

    my ($out, $frame, @queue) = ('', -1);

    for my $i (0 .. $#pos) {
        my $end = $i < $#pos ? $pos[$i + 1] - 3 : length $es;
        my $nal = substr($es, $pos[$i], $end - $pos[$i]);
        $nal =~ s/\x00+\z// if $i < $#pos;

        my $type = ord($nal) & 0x1f;

        # a slice with first_mb_in_slice 0 (ue(v) "1"): a new picture
        if (($type == 1 || $type == 5) && (ord(substr($nal, 1, 1)) & 0x80)) {
            $frame++;

            if ($frame >= $first) {
                my $k = $frame - $first;
                push @queue, caption(int($k / 30)) if $k % 30 == 0;
                $out .= "\x00\x00\x00\x01"
                    . sei(@queue ? shift @queue : [ 0x80, 0x80 ]);
            }
        }

        $out .= "\x00\x00\x00\x01" . $nal;
    }

    return $out;
}

# odd parity in bit 7, as CEA-608 bytes have
sub odd {
    my ($c) = @_;
    return unpack('%32b*', chr $c) % 2 ? $c : $c | 0x80;
}

# a pop-on caption: RCL, ENM, PAC row 15, the text, EOC (commands twice)
sub caption {
    my ($n) = @_;

    my $text = "SLUICE CAPTION $n";
    $text .= "\0" if length($text) % 2;

    my @c = ([ 0x14, 0x20 ], [ 0x14, 0x20 ], [ 0x14, 0x2e ], [ 0x14, 0x2e ],
             [ 0x14, 0x60 ], [ 0x14, 0x60 ]);
    push @c, [ unpack('C2', substr($text, 2 * $_, 2)) ]
        for 0 .. length($text) / 2 - 1;
    push @c, [ 0x14, 0x2f ], [ 0x14, 0x2f ];

    return map { [ odd($_->[0]), odd($_->[1]) ] } @c;
}

# SEI: user_data_registered_itu_t_t35, GA94 cc_data of one pair (cc_type
# 0, cc_valid); no two zero bytes in a row, so no emulation prevention
sub sei {
    my ($pair) = @_;

    my $body = pack('C3', 0xb5, 0x00, 0x31) . 'GA94'
        . pack('C*', 0x03, 0xc1, 0xff, 0xfc, @$pair, 0xff);
    return "\x06" . pack('C2', 4, length $body) . $body . "\x80";
}

# [segment path, init path] of a segment of the video between 8 s and
# 22 s (mod 24 s) of the looped source, from the media playlist of
# $format

sub captioned_segment {
    my ($format) = @_;

    my $res;
    $t->wait_for(sub {
        my $master = $t->get("$base1/manifest(format=$format)")->{body} // '';
        my ($uri) = $master
            =~ /^(QualityLevels\(\d+\)\/Manifest\(video,[^\n]*)$/m
            or return;
        my $pl = $t->get("$base1/$uri")->{body} // '';
        my ($ql_dir) = $uri =~ m{^(QualityLevels\(\d+\))/};
        my ($init) = $pl =~ /#EXT-X-MAP:URI="([^"]+)"/;

        for my $s (Sluice::Playback::segments($pl)) {
            my ($time) = $s->[0] =~ /video=(\d+)/ or next;
            my $sec = ($time / 90000) % 24;
            next unless $sec >= 8 && $sec < 22;
            $res = [ "$base1/$ql_dir/$s->[0]",
                     $init ? "$base1/$ql_dir/$init" : undef ];
            return 1;
        }
        return;
    }, timeout => 40, interval => 1, what => "a captioned $format segment");

    return $res;
}

# the path of a segment of the video of the media playlist of $format

sub any_segment {
    my ($ql, $format, $last) = @_;

    my ($base) = $ql =~ m{^(.*)/QualityLevels$};
    my $master = $t->get("$base/manifest(format=$format)")->{body} // '';
    my ($uri) = $master =~ /^(QualityLevels\(\d+\)\/Manifest\(video,[^\n]*)$/m
        or return;
    my ($ql_dir) = $uri =~ m{^(QualityLevels\(\d+\))/};
    my @s = Sluice::Playback::segments($t->get("$base/$uri")->{body} // '');

    return @s ? "$base/$ql_dir/" . $s[$last ? -1 : 0][0] : undef;
}

sub download {
    my ($path, $file) = @_;

    return unless $path;

    my $r = $t->get($path);
    return unless $r->{status} == 200 && length($r->{body} // '');

    open my $fh, '>:raw', $file or return;
    print $fh $r->{body};
    close $fh;

    return 1;
}

sub concat {
    my ($out, @in) = @_;

    open my $fh, '>:raw', $out or return;
    print $fh $t->read_file($_) // '' for @in;
    close $fh;
}

# ffprobe's closed_captions of the video stream (frames decoded), -1: none

sub closed_captions {
    my ($file) = @_;

    return -1 unless -s $file;

    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-count_frames',
        '-select_streams', 'v', '-show_entries', 'stream=closed_captions',
        '-of', 'default=nw=1:nk=1', $file ], '<', \undef, '>', \$out,
        '2>', \$err, IPC::Run::timeout(60));
    my ($v) = $out =~ /^(\d+)/m;

    return $v // -1;
}

# the captions of a file as FFmpeg's CEA-608 decoder reads them (SubRip)

sub decode_608 {
    my ($file) = @_;

    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffmpeg', '-nostdin', '-hide_banner', '-loglevel',
        'error', '-f', 'lavfi', '-i', "movie=$file\[out0+subcc\]",
        '-map', '0:s', '-c:s', 'srt', '-f', 'srt', '-' ], '<', \undef,
        '>', \$out, '2>', \$err, IPC::Run::timeout(60));

    return $out;
}
