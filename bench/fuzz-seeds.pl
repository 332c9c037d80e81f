#!/usr/bin/env perl
#
# Copyright (C) 2026, The Sluice authors.
#
# Seeds of the fuzz targets from real samples (issue 16): ffmpeg encodes
# short clips (64x64 or 128x72 test pictures, a sine) with the encoders a
# publisher uses, and the parts each target reads are cut out of them, a
# few KB at most, into t/fuzz/corpus/NAME/ffmpeg-*:
#
#   flv        FLV file heads (AVC+AAC, AVC+MP3, Sorenson H.263+AAC)
#   amf        their onMetaData bodies
#   avc        AVCDecoderConfigurationRecords (baseline, main interlaced,
#              high, high 10, high 4:2:2, CAVLC with 4 slices) and a first
#              access unit
#   aac        AudioSpecificConfigs (8 kHz mono, 44.1 kHz stereo, 96 kHz,
#              5.1, 7.1)
#   hevc       HEVCDecoderConfigurationRecords (main, main 10, 4:4:4, 4:2:2
#              10-bit)
#   sei        first access units (x264's and x265's SEI)
#   slice      parameter sets and slices, 2-byte lengths (AVC CABAC with B
#              frames and weighted prediction, AVC interlaced CAVLC, AVC
#              4 slices, HEVC main 10 with B frames, HEVC 4 slices)
#   ts         the MPEG-TS muxer's input: a configuration and samples
#              (AVC+AAC, HEVC+AAC, AAC alone)
#   tsdemux    MPEG-TS (AVC + two AAC languages, HEVC alone, AAC alone,
#              AVC+MP3, AVC with a PCR PID of its own)
#   fmp4       fragmented MP4 heads (HEVC + two AAC languages, AAC alone,
#              MP3, AC-3, Smooth ismv AAC)
#   cmaf       single fragments (moof + mdat) of those
#   cenc       their init segments and fragments, with the mode byte
#
# The other targets read what ffmpeg does not make (SCTE 35, emsg, AMF cue
# messages, JSON, tokens, URLs, SRT packets): no seeds from here.
#
#   bench/fuzz-seeds.pl [TARGET...]      (default: all of the above)
#
# A seed is written only when it differs from the file of that name (one
# encoder thread, bit-exact muxers: the same Debian ffmpeg makes the same
# bytes), so a second run changes nothing.

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Cwd qw(abs_path);

my $ROOT = abs_path(dirname(__FILE__) . '/..');
my $CORPUS = "$ROOT/t/fuzz/corpus";
my $MAX = 4096;                         # bytes of a seed, most of them
my $TMP = tempdir('sluice-seeds-XXXXXX', TMPDIR => 1, CLEANUP => 1);

my %want = map { $_ => 1 } @ARGV;
my ($written, $same) = (0, 0);


sub want { return !%want || $want{$_[0]} }


# ffmpeg OUT ARGS...: a clip of 1 s (testsrc, sine) encoded as ARGS say
sub ffmpeg {
    my ($out, @args) = @_;
    my @cmd = ('ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', @args,
               '-threads', '1', '-fflags', '+bitexact', "$TMP/$out");

    system(@cmd) == 0 or die "fuzz-seeds: @cmd failed\n";
    return slurp("$TMP/$out");
}


sub video {
    my ($size) = @_;

    $size ||= '64x64';
    return ('-f', 'lavfi', '-i',
            "testsrc=size=$size:rate=25:duration=1,format=yuv420p");
}


sub audio {
    my ($rate, $layout) = @_;

    return ('-f', 'lavfi', '-i', "sine=frequency=440:sample_rate=$rate"
            . ":duration=1,aformat=channel_layouts=$layout");
}


sub slurp {
    my ($f) = @_;
    local $/;
    open my $fh, '<:raw', $f or die "fuzz-seeds: $f: $!\n";
    return <$fh>;
}


sub seed {
    my ($target, $name, $data) = @_;
    my $dir = "$CORPUS/$target";
    my $f = "$dir/ffmpeg-$name";

    return unless want($target);
    mkdir $dir unless -d $dir;
    if (-f $f && slurp($f) eq $data) {
        $same++;
        return;
    }
    open my $fh, '>:raw', $f or die "fuzz-seeds: $f: $!\n";
    print $fh $data;
    close $fh;
    printf "    %-40s %5d bytes\n", "t/fuzz/corpus/$target/ffmpeg-$name",
        length $data;
    $written++;
}


# --- FLV ------------------------------------------------------------------

# the tags of an FLV file: [type, body]
sub flv_tags {
    my ($flv) = @_;
    my ($pos, @tags) = (unpack('x5 N', $flv) + 4);

    while ($pos + 11 <= length $flv) {
        my ($type, $hi, $lo) = unpack("x$pos C n C", $flv);
        my $len = ($hi << 8) | $lo;
        last if $pos + 11 + $len > length $flv;
        push @tags, [$type & 0x1f, substr($flv, $pos + 11, $len)];
        $pos += 11 + $len + 4;
    }
    return @tags;
}


sub flv_first {
    my ($tags, $type, $test) = @_;
    for (@$tags) {
        return $_->[1] if $_->[0] == $type && $test->($_->[1]);
    }
    die "fuzz-seeds: no such FLV tag\n";
}


# the sequence header's record (AVC: after the 5-byte header, AAC: 2)
sub avc_record {
    my @tags = flv_tags($_[0]);
    return substr(flv_first(\@tags, 9, sub { unpack('x C', $_[0]) == 0 }),
                  5);
}

sub aac_asc {
    my @tags = flv_tags($_[0]);
    return substr(flv_first(\@tags, 8, sub { unpack('x C', $_[0]) == 0 }),
                  2);
}


# --- Annex B elementary streams --------------------------------------------

# the NAL units of an Annex B stream
sub nals {
    my ($es) = @_;
    my @n = split /\x00\x00\x01/, $es;
    shift @n;
    s/\x00+\z// for @n;                 # (the zero of a 4-byte start code)
    return grep { length } @n;
}


sub nal_type {
    my ($nal, $hevc) = @_;
    my $b = ord $nal;
    return $hevc ? ($b >> 1) & 0x3f : $b & 0x1f;
}


# access units, each a list of NAL units, split at the access unit
# delimiters (both encoders write them: aud=1, --aud)
sub access_units {
    my ($es, $hevc) = @_;
    my (@aus, $au);

    for my $nal (nals($es)) {
        if (nal_type($nal, $hevc) == ($hevc ? 35 : 9)) {
            push @aus, $au = [];
            next;
        }
        push @$au, $nal if $au;
    }
    return @aus;
}


# NAL units with big-endian lengths of $ls bytes, each at most $cap bytes,
# as many as fit in $max
sub prefixed {
    my ($ls, $cap, $max, @nals) = @_;
    my $out = '';

    for my $nal (@nals) {
        $nal = substr($nal, 0, $cap) if length $nal > $cap;
        my $len = $ls == 2 ? pack('n', length $nal) : pack('N', length $nal);
        last if length($out) + $ls + length $nal > $max;
        $out .= $len . $nal;
    }
    return $out;
}


# --- MP4 --------------------------------------------------------------------

# the top-level boxes of an MP4 file: [type, bytes]
sub boxes {
    my ($mp4) = @_;
    my ($pos, @b) = (0);

    while ($pos + 8 <= length $mp4) {
        my ($size, $type) = unpack("x$pos N a4", $mp4);
        last if $size < 8 || $pos + $size > length $mp4;
        push @b, [$type, substr($mp4, $pos, $size)];
        $pos += $size;
    }
    return @b;
}


# the first box of that type anywhere in the file (a plain search: good
# enough for a sample entry's configuration box)
sub find_box {
    my ($mp4, $type) = @_;
    my $at = index($mp4, $type);
    die "fuzz-seeds: no $type box\n" if $at < 4;
    return substr($mp4, $at - 4, unpack('N', substr($mp4, $at - 4, 4)));
}


# the head of a fragmented MP4: the boxes up to the first moov, then whole
# moof + mdat pairs while they fit in $max
sub fmp4_head {
    my ($mp4, $max) = @_;
    my @b = boxes($mp4);
    my $out = '';

    while (@b) {
        my $box = shift @b;
        my $add = $box->[1];
        if ($box->[0] eq 'moof' && @b && $b[0][0] eq 'mdat') {
            $add .= (shift @b)->[1];
        }
        last if length($out) + length $add > $max && $out =~ /moov/;
        $out .= $add;
    }
    return $out;
}


# the init segment (what comes before the first moof) and the largest
# moof + mdat pair of at most $max bytes
sub fmp4_parts {
    my ($mp4, $max) = @_;
    my @b = boxes($mp4);
    my ($init, $frag) = ('', undef);

    while (@b && $b[0][0] ne 'moof') {
        $init .= (shift @b)->[1];
    }
    for my $i (0 .. $#b - 1) {
        next unless $b[$i][0] eq 'moof' && $b[$i + 1][0] eq 'mdat';
        my $f = $b[$i][1] . $b[$i + 1][1];
        $frag = $f if length $f <= $max
                      && (!defined $frag || length $f > length $frag);
    }
    die "fuzz-seeds: no fragment of at most $max bytes\n" unless $frag;
    return ($init, $frag);
}


# --- the seeds ----------------------------------------------------------------

sub flv_seeds {
    my %x264 = (
        'avc-baseline' => ['-profile:v', 'baseline'],
        'avc-main-interlaced' => ['-profile:v', 'main', '-flags',
            '+ildct+ilme', '-x264-params', 'tff=1'],
        'avc-high' => ['-profile:v', 'high', '-preset', 'faster'],
        'avc-high10' => ['-pix_fmt', 'yuv420p10le'],
        'avc-high422' => ['-pix_fmt', 'yuv422p'],
        'avc-cavlc-slices' => ['-x264-params', 'cabac=0:slices=4'],
    );
    my %aac = (
        'aac-8k-mono' => [8000, 'mono'],
        'aac-44k-stereo' => [44100, 'stereo'],
        'aac-96k' => [96000, 'stereo'],
        'aac-5.1' => [48000, '5.1'],
        'aac-7.1' => [48000, '7.1'],
    );
    my ($flv, %flv);

    for my $name (sort keys %x264) {
        $flv = $flv{$name} = ffmpeg("$name.flv", video('128x72'), audio(44100, 'stereo'),
                      '-c:v', 'libx264', '-g', '25', @{ $x264{$name} },
                      '-c:a', 'aac', '-b:a', '32k');
        seed('avc', "$name.avcc", avc_record($flv));
        seed('flv', "$name.flv", substr($flv, 0, $MAX))
            if $name eq 'avc-high' || $name eq 'avc-cavlc-slices';
    }

    # the first access unit as FLV carries it (4-byte lengths)
    my @tags = flv_tags($flv{'avc-cavlc-slices'});
    seed('avc', 'avc-cavlc-slices-au',
         substr(flv_first(\@tags, 9, sub { unpack('x C', $_[0]) == 1 }), 5,
                1024));
    seed('amf', 'avc-aac.amf', flv_first(\@tags, 18, sub { 1 }));

    for my $name (sort keys %aac) {
        my ($rate, $layout) = @{ $aac{$name} };
        $flv = ffmpeg("$name.flv", audio($rate, $layout), '-c:a', 'aac',
                      '-b:a', '64k');
        seed('aac', "$name.asc", aac_asc($flv));
        seed('amf', "$name.amf", flv_first([flv_tags($flv)], 18, sub { 1 }))
            if $name eq 'aac-5.1';
    }

    $flv = ffmpeg('mp3.flv', video(), audio(44100, 'mono'), '-c:v',
                  'libx264', '-c:a', 'libmp3lame', '-b:a', '32k',
                  '-metadata', 'title=Sluice');
    seed('flv', 'avc-mp3.flv', substr($flv, 0, $MAX));
    seed('amf', 'avc-mp3-title.amf', flv_first([flv_tags($flv)], 18,
                                                  sub { 1 }));

    $flv = ffmpeg('h263.flv', video(), audio(22050, 'mono'), '-c:v', 'flv',
                  '-c:a', 'aac');
    seed('flv', 'h263-aac.flv', substr($flv, 0, $MAX));
}


sub es_seeds {
    my ($es, @aus);

    # x264 writes its options in an SEI (user data unregistered)
    $es = ffmpeg('b.h264', video('128x72'), '-c:v', 'libx264', '-preset',
                 'faster', '-bf', '3', '-x264-params', 'aud=1:weightp=2',
                 '-f', 'h264');
    @aus = access_units($es, 0);
    seed('sei', 'avc-first-au', "\x04" . prefixed(4, 1024, $MAX,
                                                   @{ $aus[0] }));
    seed('slice', 'avc-cabac-bframes', "\x00"
         . prefixed(2, 200, $MAX, map { @$_ } @aus[0 .. 5]));

    $es = ffmpeg('i.h264', video('128x72'), '-c:v', 'libx264', '-flags',
                 '+ildct+ilme', '-x264-params', 'aud=1:tff=1:cabac=0',
                 '-f', 'h264');
    @aus = access_units($es, 0);
    seed('slice', 'avc-interlaced-cavlc', "\x00"
         . prefixed(2, 200, $MAX, map { @$_ } @aus[0 .. 3]));

    $es = ffmpeg('s.h264', video('128x72'), '-c:v', 'libx264', '-x264-params',
                 'aud=1:slices=4', '-f', 'h264');
    @aus = access_units($es, 0);
    seed('slice', 'avc-4-slices', "\x00"
         . prefixed(2, 120, $MAX, map { @$_ } @aus[0 .. 2]));

    $es = ffmpeg('b.hevc', video('128x72'), '-c:v', 'libx265', '-pix_fmt',
                 'yuv420p10le', '-x265-params',
                 'aud=1:bframes=3:log-level=error:hash=1', '-f', 'hevc');
    @aus = access_units($es, 1);
    seed('sei', 'hevc-first-au', "\x05" . prefixed(4, 1024, $MAX,
                                                    @{ $aus[0] }));
    seed('slice', 'hevc-main10-bframes', "\x01"
         . prefixed(2, 200, $MAX, map { @$_ } @aus[0 .. 5]));

    $es = ffmpeg('s.hevc', video('128x72'), '-c:v', 'libx265', '-x265-params',
                 'aud=1:slices=4:log-level=error', '-f', 'hevc');
    @aus = access_units($es, 1);
    seed('slice', 'hevc-4-slices', "\x01"
         . prefixed(2, 120, $MAX, map { @$_ } @aus[0 .. 2]));
}


sub hevc_seeds {
    # (x265's SEI of its options, 2 KB, in the record of the first only)
    my %x265 = (
        'hevc-main-sei' => ['-pix_fmt', 'yuv420p', '-x265-params',
                            'log-level=error'],
        'hevc-main10' => ['-pix_fmt', 'yuv420p10le'],
        'hevc-444' => ['-pix_fmt', 'yuv444p'],
        'hevc-422-10' => ['-pix_fmt', 'yuv422p10le'],
    );

    for my $name (sort keys %x265) {
        my $mp4 = ffmpeg("$name.mp4", video('128x72'), '-t', '0.2', '-c:v',
                         'libx265', '-x265-params', 'log-level=error:info=0',
                         @{ $x265{$name} }, '-tag:v', 'hvc1');
        seed('hevc', "$name.hvcc", substr(find_box($mp4, 'hvcC'), 8));
    }
}


# the MPEG-TS muxer's input: flags, video configuration, ASC, samples
sub ts_seeds {
    my ($flv, @tags, $in, $n);

    for my $hevc (0, 1) {
        my ($cfg, @aus);
        if ($hevc) {
            my $mp4 = ffmpeg('ts.mp4', video(), '-t', '0.2', '-c:v',
                             'libx265', '-x265-params',
                             'log-level=error:info=0', '-tag:v', 'hvc1');
            $cfg = substr(find_box($mp4, 'hvcC'), 8);
            @aus = access_units(ffmpeg('ts.hevc', video(), '-c:v', 'libx265',
                '-x265-params', 'aud=1:log-level=error', '-f', 'hevc'), 1);
        } else {
            $flv = ffmpeg('ts.flv', video(), '-c:v', 'libx264');
            $cfg = avc_record($flv);
            @aus = access_units(ffmpeg('ts.h264', video(), '-c:v',
                'libx264', '-x264-params', 'aud=1', '-f', 'h264'), 0);
        }
        my $asc = aac_asc(ffmpeg('ts-a.flv', audio(48000, 'stereo'), '-c:a',
                                 'aac'));
        my @frames = map { substr($_->[1], 2) } grep {
            $_->[0] == 8 && unpack('x C', $_->[1]) == 1
        } flv_tags(ffmpeg('ts-a.flv', audio(48000, 'stereo'), '-c:a',
                          'aac', '-b:a', '24k'));

        die "fuzz-seeds: a configuration longer than 255 bytes\n"
            if length $cfg > 255;
        $in = pack('C', 2 | $hevc) . pack('C', length $cfg) . $cfg
              . pack('C', length $asc) . $asc;
        for my $i (0 .. 3) {
            my $au = prefixed(4, 400, 1000, @{ $aus[$i] });
            $in .= pack('n C c', length $au, $i == 0, 0) . $au;
            $in .= pack('n C c', length $frames[$i], 2, 0) . $frames[$i];
        }
        seed('ts', $hevc ? 'hevc-aac' : 'avc-aac', $in);
    }

    $in = pack('C', 6) . "\x00" . pack('C', length aac_asc($flv = ffmpeg(
        'ts-b.flv', audio(44100, 'mono'), '-c:a', 'aac', '-b:a', '24k')))
        . aac_asc($flv);
    $n = 0;
    for (grep { $_->[0] == 8 && unpack('x C', $_->[1]) == 1 }
         flv_tags($flv))
    {
        last if ++$n > 8;
        $in .= pack('n C c', length($_->[1]) - 2, 3, 0) . substr($_->[1], 2);
    }
    seed('ts', 'aac-alone', $in);
}


# MPEG-TS as an SRT publisher sends it, behind the byte of the piece sizes
sub tsdemux_seeds {
    my %ts = (
        'avc-aac-2-languages' => [video(), audio(48000, 'stereo'),
            audio(44100, 'mono'), '-map', '0:v', '-map', '1:a', '-map',
            '2:a', '-c:v', 'libx264', '-c:a', 'aac', '-b:a', '24k',
            '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1',
            'language=fra'],
        'hevc-alone' => [video(), '-c:v', 'libx265', '-x265-params',
            'log-level=error'],
        'aac-alone' => [audio(48000, 'stereo'), '-c:a', 'aac', '-b:a',
            '24k'],
        'avc-mp3' => [video(), audio(44100, 'mono'), '-c:v', 'libx264',
            '-c:a', 'libmp3lame', '-b:a', '32k'],
        'avc-pcr-pid' => [video(), audio(48000, 'stereo'), '-c:v',
            'libx264', '-c:a', 'aac', '-b:a', '24k', '-mpegts_flags',
            '+pat_pmt_at_frames+resend_headers', '-pcr_period', '20'],
    );
    my $piece = 0;

    for my $name (sort keys %ts) {
        my $ts = ffmpeg("$name.ts", @{ $ts{$name} }, '-f', 'mpegts');
        $piece = ($piece + 97) % 256;
        seed('tsdemux', "$name.ts", pack('C', $piece)
             . substr($ts, 0, 188 * int(8192 / 188)));
    }
}


sub fmp4_seeds {
    my $frag = ['-movflags', 'frag_keyframe+empty_moov+default_base_moof',
                '-frag_duration', '200000'];
    my %mp4 = (
        'hevc-aac-2-languages' => [[video(), audio(48000, 'stereo'),
            audio(44100, 'mono'), '-map', '0:v', '-map', '1:a', '-map', '2:a',
            '-c:v', 'libx265', '-x265-params', 'log-level=error', '-tag:v',
            'hvc1', '-c:a', 'aac', '-b:a', '24k', '-metadata:s:a:0',
            'language=eng', '-metadata:s:a:1', 'language=fra', @$frag,
            '-f', 'mp4'], 8192],
        'avc-aac' => [[video(), audio(48000, 'stereo'), '-c:v', 'libx264',
            '-c:a', 'aac', '-b:a', '24k', @$frag, '-f', 'mp4'], 8192],
        'avc-alone' => [[video(), '-c:v', 'libx264', '-g', '5', @$frag,
            '-f', 'mp4'], $MAX],
        'aac-alone' => [[audio(48000, 'stereo'), '-c:a', 'aac', '-b:a',
            '24k', @$frag, '-f', 'mp4'], $MAX],
        'mp3' => [[audio(44100, 'mono'), '-c:a', 'libmp3lame', '-b:a', '32k',
            @$frag, '-f', 'mp4'], $MAX],
        'ac3' => [[audio(48000, 'stereo'), '-c:a', 'ac3', '-b:a', '96k',
            '-movflags', 'frag_keyframe+empty_moov+default_base_moof'
            . '+delay_moov', '-frag_duration', '200000', '-f', 'mp4'], $MAX],
        'ismv-aac' => [[audio(48000, 'stereo'), '-c:a', 'aac', '-b:a', '24k',
            '-frag_duration', '200000', '-f', 'ismv'], $MAX],
    );

    for my $name (sort keys %mp4) {
        my ($args, $max) = @{ $mp4{$name} };
        my $mp4 = ffmpeg("$name.mp4", @$args);

        seed('fmp4', "$name.mp4", fmp4_head($mp4, $max));
        next unless $name =~ /^(avc-alone|aac-alone|ismv-aac)$/;

        my ($init, $f) = fmp4_parts($mp4, $MAX);
        seed('cmaf', "$name.m4s", $f);
        # the mode byte: bit 0 cbcs, bit 1 AAC, bit 2 2-byte NAL lengths,
        # bit 3 PIFF (t/fuzz/fuzz_cenc.c)
        my $audio = $name ne 'avc-alone';
        seed('cenc', "$name-init-cenc", "\x00" . $init)
            if length $init <= $MAX;
        seed('cenc', "$name-cbcs.m4s", pack('C', 1 | ($audio << 1)) . $f);
        seed('cenc', "$name-piff.m4s", pack('C', 8 | ($audio << 1)) . $f);
    }
}


sub main {
    my %known = map { $_ => 1 }
                qw(flv amf avc aac hevc sei slice ts tsdemux fmp4 cmaf cenc);

    for my $t (@ARGV) {
        print "fuzz-seeds: no seeds from ffmpeg for $t\n" unless $known{$t};
    }
    %want = map { $_ => 1 } grep { $known{$_} } @ARGV;
    return 0 if @ARGV && !%want;

    flv_seeds() if grep { want($_) } qw(flv amf avc aac);
    es_seeds() if want('sei') || want('slice');
    hevc_seeds() if want('hevc');
    ts_seeds() if want('ts');
    tsdemux_seeds() if want('tsdemux');
    fmp4_seeds() if grep { want($_) } qw(fmp4 cmaf cenc);

    print "fuzz-seeds: $written written, $same unchanged\n";
    return 0;
}


exit main();
