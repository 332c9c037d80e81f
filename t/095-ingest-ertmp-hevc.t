#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Enhanced RTMP (Veovera enhanced-rtmp v1) ingest: video tags with the
# IsExHeader bit, a PacketType and a FourCC.  FFmpeg 5.1 (Debian 12)
# neither writes nor reads them, so the suite builds them itself from an
# MP4 made by ffmpeg (x265, 2 s GOPs, B-frames; AAC) and publishes them
# with its own RTMP client, t/lib/Sluice/RTMP.pm:
#
#  - H.265 ('hvc1': SequenceStart with the hvcC, CodedFrames with a
#    composition time, CodedFramesX when it is 0, SequenceEnd), with an
#    onMetaData whose videocodecid is the FourCC as a number, from a
#    client whose connect lists its FourCCs (fourCcList, a strict array:
#    FFmpeg 6.1's -rtmp_enhanced_codecs), paced in real time: while it
#    runs, HLS CMAF and TS and DASH through ffprobe (hevc 640x360, AAC,
#    frames), the HLS CODECS and the Smooth manifest (FourCC hvc1, the
#    VPS first, 2 s fragments, the declared bitrate); once it ended,
#    every frame stored;
#  - H.264 in 'avc1' enhanced tags (the FLV fixture's tags rewritten):
#    stored as H.264, every frame;
#  - H.265 in legacy tags of CodecID 12 (a common extension): stored;
#  - 'av01' and 'vp09' refused, and a bad hvcC: one log line each, the
#    connection closed, nothing stored.

use strict;
use warnings;

use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::RTMP;
use Sluice::Ingest qw(fixture ffprobe_json);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf();
$t->expect_errors(qr/sluice: publish refused: unsupported video codec/,
    qr/sluice: publish refused: bad H\.265 sequence header/);
$t->run();

my $http = 'http://127.0.0.1:' . $t->port(8080);
my %reaped;         # publish_bg children waited for

# enhanced RTMP video PacketTypes
use constant {
    SEQUENCE_START => 0,
    CODED_FRAMES => 1,
    SEQUENCE_END => 2,
    CODED_FRAMES_X => 3,
};

my $hevc = fixture('av', vcodec => 'libx265', format => 'mp4',
    duration => 30, gop => 2);
my %hevc = map { $_->{type} => $_ } mp4_tracks($hevc);

ok($hevc{vide} && $hevc{soun}, 'an H.265 + AAC MP4 (x265)')
    or BAIL_OUT('no HEVC fixture');

my @hevc_tags = mp4_flv_tags(\%hevc, 'hvc1');
my $hevc_frames = @{$hevc{vide}{samples}};
ok(scalar(grep { $_->{cts} } @{$hevc{vide}{samples}}),
    'with B-frames: composition times');

###############################################################################
# H.265 in enhanced tags, probed live

my $tok1 = 'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1';
my $ev1 = $t->create_live_event('ertmp', token => $tok1,
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev1, 'live event running') or BAIL_OUT(log_tail());
my $loc1 = $ev1->{properties}{preview}{previewLocator};

my $meta = Sluice::RTMP::amf0_encode('@setDataFrame', 'onMetaData', {
    videocodecid => \fourcc('hvc1'), width => \640, height => \360,
    framerate => \30, videodatarate => \800, audiocodecid => \10,
    audiodatarate => \128 });

my $before = $t->event_dirs();
my $pub = publish_bg($tok1, 'hevc', [ [ 18, 0, $meta ], @hevc_tags ]);
ok(wait_chunks($loc1, 4), 'four fragments stored') or diag(log_tail());

my $smooth = $t->get("/$loc1/preview.ism/manifest")->{body} // '';
my ($sv) = $smooth =~ m{(<StreamIndex Type="video".*?</StreamIndex>)}s;
$sv //= '';
like($sv, qr/<QualityLevel[^>]*FourCC="hvc1"/, 'Smooth: FourCC hvc1');
like($sv, qr/CodecPrivateData="000000014001/,
    'Smooth: the VPS first in CodecPrivateData');
like($sv, qr/<QualityLevel[^>]*Bitrate="800000"/,
    'Smooth: the bitrate onMetaData declared');
like($sv, qr/MaxWidth="640"[^>]*MaxHeight="360"/, 'Smooth: 640x360');
my @d = $sv =~ /\bd="(\d+)"/g;
ok(@d >= 3 && !grep({ $_ != 20000000 } @d[0 .. 2]),
    'Smooth: fragments of 2 s') or diag($sv);

my $master = $t->get("/$loc1/preview.ism/manifest(format=m3u8-cmaf)")
    ->{body} // '';
like($master, qr/CODECS="hvc1\.1\.6\.L\d+\.[0-9A-F]+,mp4a\.40\.2"/,
    'HLS: CODECS hvc1 (Main) and AAC') or diag($master);

for my $f ([ 'm3u8-cmaf', '.m3u8' ], [ 'mpd-time-cmaf', '.mpd' ],
           [ 'm3u8-aapl', '.m3u8' ])
{
    my $j = probe("$http/$loc1/preview.ism/manifest(format=$f->[0])$f->[1]");
    my %c = map { ($_->{codec_type} // '') => $_ } @{$j->{streams} // []};
    is($c{video}{codec_name} // '', 'hevc', "$f->[0]: H.265");
    is(($c{video}{width} // 0) . 'x' . ($c{video}{height} // 0), '640x360',
        "$f->[0]: 640x360");
    is($c{audio}{codec_name} // '', 'aac', "$f->[0]: AAC");
    cmp_ok($c{video}{nb_read_frames} // 0, '>=', 60,
        "$f->[0]: 2 s of frames or more");
}

is(wait_bg($pub, 60), 0, 'publisher sent every tag') or diag(log_tail());

my $gen1 = event_dir($before);
my $tr1 = $t->wait_track_end($gen1, 28, timeout => 20);
ok($tr1, 'the last fragments stored');
my %tr1 = map { $_->{type} => $_ } @{$tr1 // []};

is(scalar @{$tr1{video}{times} // []}, 15, 'one video fragment per GOP');
is(frames($tr1{video}), $hevc_frames, "every video frame ($hevc_frames)");
is(frames($tr1{audio}), scalar @{$hevc{soun}{samples}},
    'every audio frame');

my $init = ffprobe_json("$tr1{video}{dir}/init0.mp4") // {};
is($init->{streams}[0]{codec_tag_string} // '', 'hvc1',
    'stored init segment: hvc1');

###############################################################################
# H.264 in enhanced tags ('avc1')

my $tok2 = 'e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2';
ok($t->create_live_event('ertmpavc', token => $tok2), 'second event');

my $av = fixture('av', duration => 6, gop => 2);
my @avc_tags = map { $_->{type} == 9 ? avc_enhanced($_) : $_ }
    grep { $_->{type} == 8 || $_->{type} == 9 } Sluice::RTMP::flv_tags($av);

ok(!grep({ $_->{type} == 9 && !(ord($_->{data}) & 0x80) } @avc_tags),
    'every video tag rewritten with an ex-header');

$before = $t->event_dirs();
ok(publish_tags($tok2, 'avc', \@avc_tags), 'published avc1 tags');
my $tr2 = $t->wait_track_end(event_dir($before), 4);
my %tr2 = map { $_->{type} => $_ } @{$tr2 // []};

$init = ffprobe_json("$tr2{video}{dir}/init0.mp4") // {};
is($init->{streams}[0]{codec_name} // '', 'h264', 'avc1: stored as H.264');
is(frames($tr2{video}), frames({ file => $av }, 'v'),
    'avc1: every video frame');

###############################################################################
# H.265 in legacy tags, CodecID 12

my $tok3 = 'e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3';
ok($t->create_live_event('legacyhevc', token => $tok3), 'third event');

my @legacy = mp4_flv_tags(\%hevc, undef);
my ($at6) = grep { $legacy[$_]{ts} >= 6000 && key_tag($legacy[$_]) }
    0 .. $#legacy;

my @legacy6 = @legacy[0 .. $at6 - 1];
my $legacy_frames = grep { $_->{frame} } @legacy6;

$before = $t->event_dirs();
ok(publish_tags($tok3, 'legacy', \@legacy6),
    'published 6 s in legacy tags of CodecID 12');
my $tr3 = $t->wait_track_end(event_dir($before), 4);
my %tr3 = map { $_->{type} => $_ } @{$tr3 // []};

$init = ffprobe_json("$tr3{video}{dir}/init0.mp4") // {};
is($init->{streams}[0]{codec_name} // '', 'hevc', 'CodecID 12: H.265');
is(frames($tr3{video}), $legacy_frames,
    "CodecID 12: every video frame ($legacy_frames)");

###############################################################################
# refused at the first video tag: other FourCCs, a bad hvcC

my $tok4 = 'e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4';
ok($t->create_live_event('refused', token => $tok4), 'fourth event');

$before = $t->event_dirs();

for my $cc ('av01', 'vp09') {
    my $n0 = refusals($cc);
    my $p = Sluice::RTMP->new(port => $t->port(1935), app => "live/$tok4");
    $p->publish($cc);

    # the AAC sequence header and a frame, then the video's SequenceStart
    $p->message($_->{type}, $_->{ts}, $_->{data})
        for (grep { $_->{type} == 8 } @hevc_tags)[0, 1];
    $p->message(9, 0, ex_header(1, SEQUENCE_START, $cc) . "\x81\0\x0c\0");

    ok($t->wait_for(sub { $p->poll(); $p->closed() }, timeout => 10),
        "$cc: connection closed");
    $p->close();
    is(refusals($cc) - $n0, 1, "$cc: one log line");
}

# an hvcC that is not one

my $p = Sluice::RTMP->new(port => $t->port(1935), app => "live/$tok4");
$p->publish('badhvcc');
$p->message(9, 0, ex_header(1, SEQUENCE_START, 'hvc1') . "\x01\x02\x03");
ok($t->wait_for(sub { $p->poll(); $p->closed() }, timeout => 10),
    'bad hvcC: connection closed');
$p->close();
my $bad = 'publish refused: bad H.265 sequence header, live event'
    . ' "refused", stream "badhvcc"';
like($t->read_file('error.log'), qr/\Q$bad\E/, 'bad hvcC: logged');

is_deeply($t->event_dirs(), $before, 'refused streams stored nothing');

$t->done_testing();

###############################################################################

sub log_tail {
    my $l = $t->read_file('error.log') // '';
    return substr($l, -3000);
}

sub refusals {
    my ($cc) = @_;

    my $line = 'publish refused: unsupported video codec (FLV codec id 0,'
        . sprintf(' FourCC 0x%08x), only H.264 and H.265,', fourcc($cc))
        . qq{ live event "refused", stream "$cc"};
    my $l = $t->read_file('error.log') // '';
    return scalar(() = $l =~ /\Q$line\E/g);
}

sub fourcc {
    return unpack('N', $_[0]);
}

# the first byte and FourCC of an enhanced video tag
sub ex_header {
    my ($frame_type, $packet_type, $cc) = @_;
    return chr(0x80 | $frame_type << 4 | $packet_type) . $cc;
}

sub si24 {
    return substr(pack('N', $_[0] & 0xffffff), 1);
}

sub key_tag {
    my ($tag) = @_;
    return $tag->{type} == 9 && $tag->{key};
}

# a legacy AVC tag as an 'avc1' enhanced one: SequenceStart, CodedFrames
# with the composition time, CodedFramesX when it is 0, SequenceEnd
sub avc_enhanced {
    my ($tag) = @_;

    my ($b0, $type, $cts) = unpack('CCa3', $tag->{data});
    my $ft = $b0 >> 4;
    my $body = substr($tag->{data}, 5);
    my $c = unpack('N', "\0$cts");

    my $data = $type == 0 ? ex_header($ft, SEQUENCE_START, 'avc1') . $body
        : $type == 2 ? ex_header($ft, SEQUENCE_END, 'avc1')
        : $c ? ex_header($ft, CODED_FRAMES, 'avc1') . $cts . $body
        : ex_header($ft, CODED_FRAMES_X, 'avc1') . $body;

    return { %$tag, data => $data };
}

# the FLV tags of an MP4's tracks in decoding order: the video in
# enhanced tags of FourCC $cc (as FFmpeg 6.1 writes them: CodedFramesX
# when the composition time is 0), or legacy ones of CodecID 12 without
# $cc; AAC legacy; sequence headers first, SequenceEnd last
sub mp4_flv_tags {
    my ($tracks, $cc) = @_;

    my ($vt, $at) = @$tracks{'vide', 'soun'};
    my @tags = ({ type => 9, ts => 0, key => 0, data => $cc
                  ? ex_header(1, SEQUENCE_START, $cc) . $vt->{config}
                  : "\x1c\0\0\0\0" . $vt->{config} },
                { type => 8, ts => 0, data => "\xaf\0" . $at->{config} });
    my @media;

    for my $s (@{$vt->{samples}}) {
        my $ft = $s->{key} ? 1 : 2;
        my $data = !$cc ? chr($ft << 4 | 12) . "\x01" . si24($s->{cts})
            : $s->{cts} ? ex_header($ft, CODED_FRAMES, $cc) . si24($s->{cts})
            : ex_header($ft, CODED_FRAMES_X, $cc);

        push @media, { type => 9, ts => $s->{dts}, key => $s->{key},
                       frame => 1, data => $data . $s->{data} };
    }

    push @media, map { { type => 8, ts => $_->{dts},
                         data => "\xaf\x01" . $_->{data} } }
        @{$at->{samples}};

    push @tags, sort { $a->{ts} <=> $b->{ts} || $b->{type} <=> $a->{type} }
        @media;

    push @tags, { type => 9, ts => $tags[-1]{ts}, key => 0, data => $cc
                  ? ex_header(1, SEQUENCE_END, $cc) : "\x1c\x02\0\0\0" };

    return @tags;
}

# publishes the tags at once; false after a diagnostic if it failed
sub publish_tags {
    my ($token, $name, $tags) = @_;

    my $ok = eval {
        my $p = Sluice::RTMP->new(port => $t->port(1935),
            app => "live/$token");
        $p->publish($name);

        for my $tag (@$tags) {
            $p->message($tag->{type}, $tag->{ts}, $tag->{data})
                or die "connection closed at $tag->{ts} ms\n";
            $p->poll();
        }

        $p->close();
        1;
    };

    diag("publisher: $@") unless $ok;
    return $ok;
}

# publishes [ type, ts, data ] and tags in real time in a child process,
# so that the test can read the live stream meanwhile; returns its pid
sub publish_bg {
    my ($token, $name, $list) = @_;

    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid) {
        $t->on_cleanup(sub {
            return if $reaped{$pid};
            kill 'KILL', $pid;
            waitpid($pid, 0);
        });
        return $pid;
    }

    my $ok = eval {
        my $p = Sluice::RTMP->new(port => $t->port(1935),
            app => "live/$token",
            connect => { fourCcList => [ 'av01', 'vp09', 'hvc1' ] });
        $p->publish($name);
        my $start = time;

        for my $e (@$list) {
            my ($type, $ts, $data) = ref $e eq 'ARRAY' ? @$e
                : @$e{'type', 'ts', 'data'};
            my $wait = $start + $ts / 1000 - time;

            sleep $wait if $wait > 0;
            $p->message($type, $ts, $data)
                or die "connection closed at $ts ms\n";
            $p->poll();
        }

        $p->close();
        1;
    };

    print STDERR "# publisher: $@" unless $ok;
    POSIX::_exit($ok ? 0 : 1);
}

# the exit status of a publish_bg child, or undef after $timeout s
sub wait_bg {
    my ($pid, $timeout) = @_;

    my $st;
    $t->wait_for(sub {
        return 0 unless waitpid($pid, POSIX::WNOHANG()) == $pid;
        $reaped{$pid} = 1;
        $st = $? >> 8;
        return 1;
    }, timeout => $timeout, interval => 0.5, what => 'the publisher');
    return $st;
}

sub frames {
    my ($tr, $stream) = @_;

    return -1 unless $tr && ($tr->{dir} || $tr->{file});
    my ($n, $e) = $t->track_frames($tr, $stream);
    diag("ffprobe: $e") if $e ne '';
    return $n // -1;
}

sub probe {
    my ($url) = @_;

    my $j = ffprobe_json($url, '-count_frames', '-read_intervals', '%+3');
    diag("ffprobe $url gave no stream") unless $j && @{$j->{streams} // []};
    return $j // {};
}

sub wait_chunks {
    my ($loc, $n) = @_;

    return $t->wait_for(sub {
        my $r = $t->get("/$loc/preview.ism/manifest");
        my ($v) = ($r->{body} // '')
            =~ m{(<StreamIndex Type="video".*?</StreamIndex>)}s;
        my @c = ($v // '') =~ /<c\b/g;
        return @c >= $n;
    }, timeout => 60, what => "$n fragments");
}

###############################################################################
# a small MP4 reader: the samples of each track

# the boxes from $pos to $end: [ type, payload start, payload end ]
sub boxes {
    my ($data, $pos, $end) = @_;

    my @b;

    while ($pos + 8 <= $end) {
        my ($size, $type) = unpack('Na4', substr($data, $pos, 8));
        my $hdr = 8;

        if ($size == 1) {
            my ($hi, $lo) = unpack('NN', substr($data, $pos + 8, 8));
            ($size, $hdr) = ($hi * 2**32 + $lo, 16);

        } elsif ($size == 0) {
            $size = $end - $pos;
        }

        last if $size < $hdr || $pos + $size > $end;
        push @b, [ $type, $pos + $hdr, $pos + $size ];
        $pos += $size;
    }

    return @b;
}

# the payload bounds of the first box on a path ('mdia/minf') in $in
sub find_box {
    my ($data, $in, $path) = @_;

    my ($start, $end) = @$in;

    for my $type (split m{/}, $path) {
        my ($b) = grep { $_->[0] eq $type } boxes($data, $start, $end);
        return undef unless $b;
        ($start, $end) = ($b->[1], $b->[2]);
    }

    return [ $start, $end ];
}

sub payload {
    my ($data, $b) = @_;
    return $b ? substr($data, $b->[0], $b->[1] - $b->[0]) : '';
}

# the entries of a full box's table of $n-byte records
sub table {
    my ($data, $b, $tmpl, $n) = @_;

    return () unless $b;

    my $p = payload($data, $b);
    my $count = unpack('N', substr($p, 4, 4));
    return map { [ unpack($tmpl, substr($p, 8 + $_ * $n, $n)) ] }
        0 .. $count - 1;
}

# the payload of the descriptor of tag $want in an esds (ES_Descriptor,
# DecoderConfigDescriptor, DecoderSpecificInfo: ISO/IEC 14496-1 7.2.6)
sub descriptor {
    my ($p, $want) = @_;

    my $pos = 4;

    while ($pos < length $p) {
        my ($tag, $len, $c) = (ord substr($p, $pos++, 1), 0);

        do {
            $c = ord substr($p, $pos++, 1);
            $len = ($len << 7) | ($c & 0x7f);
        } while ($c & 0x80);

        return substr($p, $pos, $len) if $tag == $want;

        if ($tag == 3) {
            my $flags = ord substr($p, $pos + 2, 1);
            $pos += 3;
            $pos += 2 if $flags & 0x80;
            $pos += 1 + ord substr($p, $pos, 1) if $flags & 0x40;
            $pos += 2 if $flags & 0x20;

        } elsif ($tag == 4) {
            $pos += 13;

        } else {
            $pos += $len;
        }
    }

    return undef;
}

# the sample entry's configuration: hvcC or avcC after a
# VisualSampleEntry (78 bytes), the AudioSpecificConfig of the esds after
# an AudioSampleEntry (28 bytes)
sub sample_config {
    my ($data, $stbl, $type) = @_;

    my $stsd = find_box($data, $stbl, 'stsd');
    my ($e) = boxes($data, $stsd->[0] + 8, $stsd->[1]);
    my $video = $type eq 'vide';
    my ($c) = grep { $_->[0] =~ ($video ? qr/^(hvcC|avcC)$/ : qr/^esds$/) }
        boxes($data, $e->[1] + ($video ? 78 : 28), $e->[2]);

    return undef unless $c;

    my $p = payload($data, [ $c->[1], $c->[2] ]);
    return $video ? $p : descriptor($p, 5);
}

# sample offsets from stsz, stsc and stco/co64
sub sample_offsets {
    my ($data, $stbl, $size) = @_;

    my $co = find_box($data, $stbl, 'stco');
    my @chunk = $co ? map { $_->[0] } table($data, $co, 'N', 4)
        : map { $_->[0] * 2**32 + $_->[1] }
              table($data, find_box($data, $stbl, 'co64'), 'NN', 8);
    my @stsc = table($data, find_box($data, $stbl, 'stsc'), 'NNN', 12);
    my @off;

    for my $i (0 .. $#stsc) {
        my $last = $i < $#stsc ? $stsc[$i + 1][0] - 1 : scalar @chunk;

        for my $c ($stsc[$i][0] .. $last) {
            my $pos = $chunk[$c - 1];

            for (1 .. $stsc[$i][1]) {
                last if @off == @$size;
                push @off, $pos;
                $pos += $size->[$#off];
            }
        }
    }

    return @off;
}

# the tracks of an MP4 file: { type (vide, soun), config (hvcC, avcC or
# AudioSpecificConfig), samples: [ { dts, cts (ms), key, data } ] }; the
# edit lists are ignored
sub mp4_tracks {
    my ($file) = @_;

    open my $fh, '<:raw', $file or die "$file: $!\n";
    my $data = do { local $/; <$fh> };
    close $fh;

    my $moov = find_box($data, [ 0, length $data ], 'moov')
        or die "$file: no moov\n";
    my @tracks;

    for my $trak (grep { $_->[0] eq 'trak' } boxes($data, @$moov)) {
        my $tb = [ $trak->[1], $trak->[2] ];
        my $type = substr(payload($data, find_box($data, $tb, 'mdia/hdlr')),
            8, 4);
        my $mdhd = payload($data, find_box($data, $tb, 'mdia/mdhd'));
        my $scale = unpack('N', substr($mdhd, ord($mdhd) ? 20 : 12, 4));
        my $stbl = find_box($data, $tb, 'mdia/minf/stbl');

        my $stsz = payload($data, find_box($data, $stbl, 'stsz'));
        my ($fixed, $n) = unpack('NN', substr($stsz, 4, 8));
        my @size = $fixed ? (($fixed) x $n)
                          : unpack("N$n", substr($stsz, 12, 4 * $n));
        my @off = sample_offsets($data, $stbl, \@size);

        my $sum = 0;
        my @dts = map { my $d = $sum; $sum += $_->[1]; $d }
            map { ($_) x $_->[0] }
            table($data, find_box($data, $stbl, 'stts'), 'NN', 8);
        my @cto = map { ($_->[1] >= 2**31 ? $_->[1] - 2**32 : $_->[1])
                        x $_->[0] }
            table($data, find_box($data, $stbl, 'ctts'), 'NN', 8);
        my $stss = find_box($data, $stbl, 'stss');
        my %key = $stss ? map { $_->[0] - 1 => 1 } table($data, $stss, 'N', 4)
                        : map { $_ => 1 } 0 .. $n - 1;

        my @samples = map {
            my $d = int($dts[$_] * 1000 / $scale + 0.5);
            my $p = int(($dts[$_] + ($cto[$_] // 0)) * 1000 / $scale + 0.5);
            { dts => $d, cts => $p - $d, key => $key{$_} ? 1 : 0,
              data => substr($data, $off[$_], $size[$_]) };
        } 0 .. $n - 1;

        push @tracks, { type => $type, samples => \@samples,
            config => sample_config($data, $stbl, $type) };
    }

    return @tracks;
}


# the event's directory, made by its first fragment's write (in the
# thread pool: later than the publisher's end on a loaded machine)

sub event_dir {
    my ($before) = @_;

    my $dir;
    $t->wait_for(sub { $dir = $t->new_event_dir($before) },
        timeout => 20, what => 'the event directory');
    return $dir;
}
