#!/usr/bin/perl

# 'cbcs' keeps each slice header clear, however long (issue 9): x264
# encodes a fade (weighted prediction on many of 16 references, reference
# list reordering, B-pyramid, 8 slices a picture at 1280x720) whose slice
# headers reach 30 to 40 bytes, longer than the fixed 1 + 31 bytes Sluice
# used to leave clear.  Published over RTMP and recorded, its DASH 'cbcs'
# fragments must decrypt with FFmpeg into exactly the frames of the clear
# locator's (framemd5), and their senc boxes must show subsamples whose
# clear part (length field, NAL unit header and slice header) is longer
# than 4 + 1 + 31 bytes: the slice headers were measured.  The traces are
# compared packet by packet; a packet whose ciphertext emulates a start
# code is left out (FFmpeg cuts the slice there and reads the rest as
# other NAL units), and counted.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Ingest;

use IPC::Run ();
use MIME::Base64 qw(decode_base64);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = '0123456789abcdef0123456789abcdef';

# --- the stream: long slice headers -----------------------------------------

my $flv = $t->testdir . '/fade.flv';
my ($out, $err) = ('', '');
IPC::Run::run([ 'ffmpeg', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi',
    '-i', 'testsrc2=size=1280x720:rate=25,fade=in:0:100', '-t', 4,
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast',
    '-b:v', '1500k', '-g', 50, '-keyint_min', 50, '-sc_threshold', 0,
    '-x264-params', 'ref=16:weightp=2:b-pyramid=normal:bframes=3:slices=8',
    '-f', 'flv', $flv ], '<', \undef, '>', \$out, '2>', \$err,
    IPC::Run::timeout(120));
ok(-s $flv, 'x264 fade with long slice headers') or BAIL_OUT($err);

# --- a recording with a 'cbcs' locator and a clear one ----------------------

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $r = $t->api(PUT => 'contentKeyPolicies/ckOpen', { properties => {
    options => [ { name => 'clearKey',
        configuration => {
            '@odata.type' => '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
        restriction => {
            '@odata.type' => '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } });
ok($r->{status} == 201 || $r->{status} == 200, 'content key policy')
    or diag($r->{body});

my $on = JSON::PP::true;
my $off = JSON::PP::false;

$r = $t->api(PUT => 'streamingPolicies/cbcs', { properties => {
    defaultContentKeyPolicyName => 'ckOpen',
    commonEncryptionCbcs => {
        enabledProtocols => { download => $off, dash => $on, hls => $off,
                              smoothStreaming => $off },
        contentKeys => { defaultKey => { label => 'cbcsKey' } } } } });
is($r->{status}, 201, 'streaming policy: cbcs (DASH)') or diag($r->{body});

ok($t->create_live_event('ev1', token => $token), 'ev1 running')
    or BAIL_OUT('no live event');

Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'enc',
    manifestName => 'show', policy => 'cbcs');
my $clear = Sluice::Playback::locator($t, 'clear', 'a1');

$r = $t->api(POST => 'streamingLocators/enc/listContentKeys');
my ($key) = map { unpack('H*', decode_base64($_->{value})) }
    grep { $_->{type} eq 'CommonEncryptionCbcs' }
    @{ $r->{json}{contentKeys} // [] };
ok($key, 'listContentKeys: the cbcs key') or BAIL_OUT($r->{body});

$r = $t->api(POST => 'streamingLocators/enc/listPaths');
my ($dash) = grep { /encryption=cbcs/ }
    map { @{ $_->{paths} // [] } } @{ $r->{json}{streamingPaths} // [] };
my ($cpath) = grep { /format=mpd-time-csf/ } @{ $clear->{Dash} // [] };
ok($dash && $cpath, 'listPaths: DASH cbcs, clear DASH')
    or BAIL_OUT('no paths');
my ($id) = $dash =~ m{^/([^/]+)/};
my ($cid) = $cpath =~ m{^/([^/]+)/};

$t->publish(input => $flv, loop => 1,
    url => "rtmp://127.0.0.1:" . $t->port(1935) . "/live/$token/stream");

ok(Sluice::Playback::wait_fragments($t, "/$cid/show.ism/manifest", 3),
    'three fragments recorded');

# --- helpers ----------------------------------------------------------------

sub box {
    my ($data, $path) = @_;

    for my $type (split m{/}, $path) {
        my ($pos, $found) = (0, undef);

        while ($pos + 8 <= length $data) {
            my ($size, $t4) = unpack('Na4', substr($data, $pos, 8));
            last if $size < 8;
            if ($t4 eq $type) {
                $found = substr($data, $pos + 8, $size - 8);
                last;
            }
            $pos += $size;
        }

        return undef unless defined $found;
        $data = $found;
    }

    return $data;
}

# the subsamples of a senc box without IVs: [[clear, protected]...] per sample
sub senc {
    my ($p) = @_;
    my ($flags, $n) = unpack('N N', $p);
    my ($pos, @s) = (8);

    for (1 .. $n) {
        my $k = unpack('n', substr($p, $pos, 2));
        $pos += 2;
        push @s, [ map { [ unpack('n N', substr($p, $pos + 6 * $_, 6)) ] }
                   0 .. $k - 1 ];
        $pos += 6 * $k;
    }

    return \@s;
}

sub write_tmp {
    my ($name, $data) = @_;
    my $f = $t->testdir . "/$name";
    open(my $fh, '>:raw', $f) or die "$f: $!";
    print $fh $data;
    close $fh;
    return $f;
}

sub frames {
    my ($file, $keyhex) = @_;
    my ($o, $e) = ('', '');
    IPC::Run::run([ 'ffmpeg', '-v', 'error',
        ($keyhex ? ('-decryption_key', $keyhex) : ()), '-i', $file,
        '-f', 'framemd5', '-' ], '<', \undef, '>', \$o, '2>', \$e,
        IPC::Run::timeout(60));
    return ([ grep { !/^#/ } split /\n/, $o ], $e);
}

# FFmpeg's trace of every header field (trace_headers): slice data is not
# read, so a stream whose slice headers are clear gives the same trace
# encrypted (no key) as clear.  No progress reports (-nostats): ffmpeg
# prints one every half second of the run, ended by \r, which glued the
# next trace line ("Packet: ...") to it and lost that line from one trace
# and not the other when the runs were slow (under load).
sub headers {
    my ($file) = @_;
    my ($o, $e) = ('', '');
    IPC::Run::run([ 'ffmpeg', '-nostdin', '-hide_banner', '-nostats', '-i',
        $file, '-map', '0:v', '-c', 'copy', '-bsf:v', 'trace_headers', '-f',
        'null', '-' ], '<', \undef, '>', \$o, '2>', \$e,
        IPC::Run::timeout(60));
    # (ciphertext may hold an emulated start code that FFmpeg's NAL
    # reader warns about: slice data, not headers)
    my @l = grep { !/^Invalid NAL unit/ }
        map { s/^\[trace_headers @ [^\]]*\] //r }
        grep { /^\[trace_headers/ } split /[\r\n]+/, $e;
    return \@l;
}

# a trace cut in packets: the lines before the first "Packet:" (extradata),
# then one list per packet
sub packets {
    my ($lines) = @_;
    my @p = ([]);

    for (@$lines) {
        push @p, [] if /^Packet: /;
        push @{ $p[-1] }, $_;
    }

    return \@p;
}

# the samples of a fragment (moof + mdat, one traf): trun's sizes (or
# tfhd's default), from data_offset (moof-relative) or the mdat payload
sub samples {
    my ($frag) = @_;
    my ($pos, $moof, $mdat) = (0, undef, undef);

    while ($pos + 8 <= length $frag) {
        my ($size, $type) = unpack('Na4', substr($frag, $pos, 8));
        last if $size < 8;
        $moof //= $pos if $type eq 'moof';
        $mdat //= $pos + 8 if $type eq 'mdat' && defined $moof;
        $pos += $size;
    }

    return [] unless defined $moof && defined $mdat;

    my $tfhd = box(substr($frag, $moof), 'moof/traf/tfhd') // '';
    my $trun = box(substr($frag, $moof), 'moof/traf/trun') // '';
    return [] if length $tfhd < 8 || length $trun < 8;

    my $hf = unpack('N', $tfhd) & 0xffffff;
    my $hp = 8 + ($hf & 1 ? 8 : 0) + ($hf & 2 ? 4 : 0) + ($hf & 8 ? 4 : 0);
    my $default = $hf & 0x10 ? unpack('N', substr($tfhd, $hp, 4)) : 0;

    my ($tf, $n) = unpack('N N', $trun);
    $tf &= 0xffffff;
    my $p = 8;
    my $data = $mdat;

    if ($tf & 1) {
        $data = $moof + unpack('l>', substr($trun, $p, 4));
        $p += 4;
    }

    $p += 4 if $tf & 4;

    my @s;

    for (1 .. $n) {
        my $size = $default;
        $p += 4 if $tf & 0x100;
        if ($tf & 0x200) {
            $size = unpack('N', substr($trun, $p, 4));
            $p += 4;
        }
        $p += 4 if $tf & 0x400;
        $p += 4 if $tf & 0x800;
        push @s, substr($frag, $data, $size);
        $data += $size;
    }

    return \@s;
}

# Does a sample hold an emulated start code (00 00 01 or 00 00 02) inside
# one of its NAL units?  The ciphertext after a clear slice header can:
# FFmpeg's NAL reader (ff_h2645_extract_rbsp) ends the NAL unit there and
# reads what follows 00 00 01 as another NAL unit, whose header (an End
# of Sequence, an SPS, a slice...) trace_headers prints after the slice's
# cabac_alignment_one_bits.  Clear NAL units never hold these bytes.
sub start_code {
    my ($sample, $nls) = @_;
    my $pos = 0;

    while ($pos + $nls <= length $sample) {
        my $n = 0;
        $n = $n << 8 | ord(substr($sample, $pos + $_, 1)) for 0 .. $nls - 1;
        return 1 if substr($sample, $pos + $nls, $n) =~ /\x00\x00[\x01\x02]/;
        $pos += $nls + $n;
    }

    return 0;
}

# --- the fragments ----------------------------------------------------------

$r = $t->get($dash);
is($r->{status}, 200, 'cbcs MPD: 200');
my ($set) = $r->{body}
    =~ m{(<AdaptationSet\b[^>]*contentType="video".*?</AdaptationSet>)}s;
my ($media) = ($set // '') =~ /media="([^"]+)"/;
my ($init) = ($set // '') =~ /initialization="([^"]+)"/;
my ($bw) = ($set // '') =~ /<Representation\b[^>]*bandwidth="(\d+)"/;
my @times = ($set // '') =~ /<S\b[^>]*\bt="(\d+)"/g;
ok($media && $init && $bw, 'video template') or BAIL_OUT($r->{body});
s/\$Bandwidth\$/$bw/ for $media, $init;

my $base = "/$id/show.ism";
my $i = $t->get("$base/$init");
(my $cinit = $init) =~ s/,encryption=cbcs//;
my $ci = $t->get("/$cid/show.ism/$cinit");
is($i->{status} . $ci->{status}, '200200', 'init segments');

# the NAL unit length size, from the avcC
my $avcc = index($ci->{body}, 'avcC');
my $nls = $avcc < 0 ? 4 : (ord(substr($ci->{body}, $avcc + 8, 1)) & 3) + 1;

# the first two fragments of the timeline
my ($t0) = @times;
my $long = 0;

sub first_difference {
    my ($a, $b) = @_;

    for my $i (0 .. ($#$a > $#$b ? $#$a : $#$b)) {
        next if ($a->[$i] // '') eq ($b->[$i] // '');
        my $from = $i > 3 ? $i - 3 : 0;
        return "line $i of " . @$a . '/' . @$b . ":\n  encrypted: "
            . join("\n  encrypted: ", map { $_ // '' } @$a[$from .. $i])
            . "\n  clear:     "
            . join("\n  clear:     ", map { $_ // '' } @$b[$from .. $i]);
    }

    return 'no difference';
}

for my $k (0 .. 1) {
    my $mpd = $t->get($dash)->{body};
    my ($d) = $mpd =~ /<S\b[^>]*\bt="$t0"[^>]*\bd="(\d+)"/;
    ($d) = $mpd =~ /<S\b[^>]*\bd="(\d+)"[^>]*\bt="$t0"/ unless $d;
    (my $m = $media) =~ s/\$Time\$/$t0/;
    (my $cm = $m) =~ s/,encryption=cbcs//;

    my $f = $t->get("$base/$m");
    my $cf = $t->get("/$cid/show.ism/$cm");
    is($f->{status} . $cf->{status}, '200200', "fragment $t0: 200");

    # subsamples after the first of a sample: length + NAL + slice header
    my $s = senc(box($f->{body}, 'moof/traf/senc') // "\0" x 8);
    for my $sample (@$s) {
        $long++ for grep { $_->[0] > 4 + 1 + 31 && $_->[1] > 0 }
                    @$sample[1 .. $#$sample];
    }

    my $ef = write_tmp("enc-$k.mp4", $i->{body} . $f->{body});
    my $cf2 = write_tmp("clear-$k.mp4", $ci->{body} . $cf->{body});
    my ($enc, $e) = frames($ef, $key);
    my ($cl) = frames($cf2);
    ok(@$cl > 0 && "@$enc" eq "@$cl",
        "fragment $t0: FFmpeg decrypts 'cbcs' to the clear frames ("
        . @$cl . ')') or diag($e);

    # without the key: the same slice headers as the clear fragment's,
    # packet by packet; a packet whose ciphertext holds an emulated start
    # code is left out (FFmpeg reads a NAL unit more), and counted
    my $he = packets(headers($ef));
    my $hc = packets(headers($cf2));
    my $samples = samples($f->{body});
    my ($ce, $cc, $skipped) = ([], [], 0);

    for my $j (0 .. ($#$he > $#$hc ? $#$he : $#$hc)) {
        if ($j > 0 && @$he == @$hc && @$hc == @$samples + 1
            && start_code($samples->[$j - 1], $nls))
        {
            $skipped++;
            next;
        }

        push @$ce, @{ $he->[$j] // [] };
        push @$cc, @{ $hc->[$j] // [] };
    }

    my $slices = grep { /^Slice Header/ } @$cc;
    ok($slices > 0 && @$hc == @$samples + 1 && $skipped <= @$samples / 4
        && join("\n", @$ce) eq join("\n", @$cc),
        "fragment $t0: encrypted, its $slices slice headers read as clear"
        . " ($skipped of " . @$samples . ' packets with an emulated start'
        . ' code left out)')
        or diag(first_difference($ce, $cc) . "\npackets: " . (@$he - 1)
            . ' encrypted, ' . (@$hc - 1) . ' clear, ' . @$samples
            . ' samples');

    last unless $d;
    $t0 += $d;
}

ok($long > 0, "slice headers longer than 31 bytes kept clear ($long)");

done_testing();
