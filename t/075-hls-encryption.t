#!/usr/bin/perl

# Encrypted HLS through streaming locators (issue 9): a recording played
# through a clear locator and through encrypting ones of the same asset.
#
#   encryption=cbc (Predefined_ClearKey): master and media playlists
#   (EXT-X-SESSION-KEY, EXT-X-KEY with an IV per segment, the tag and the
#   token in child URIs); each TS segment (m3u8-aapl, m3u8-aapl-v3) and
#   fMP4 segment (m3u8-cmaf) decrypted with `openssl enc -d` is the clear
#   segment, byte for byte, and ffprobe decodes it (fMP4 after the clear
#   init segment); the same bytes on a second request; HEAD and ranges.
#
#   encryption=cbcs-aapl (a CBCS policy with FairPlay, a given key): TS
#   with Apple SAMPLE-AES; FFmpeg's HLS demuxer decrypts it (a local
#   playlist naming the key file and the segments) into the frames the
#   clear segments decode to (framemd5; all but a few video frames, for
#   FFmpeg 5.1's own defects, explained below), and does not without the
#   key.
#
#   Refusals: cenc on TS, cbcs-aapl on m3u8-aapl-v3 (400); a scheme the
#   policy does not enable (403).

use strict;
use warnings;

use Test::More;
use File::Temp ();
use MIME::Base64 ();
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'openssl');

Sluice::Playback::config($t);
$t->run();

my $token = '0123456789abcdef0123456789abcdef';
my $port = $t->port(8080);

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');
ok($t->create_live_event('ev1', token => $token), 'ev1 running')
    or BAIL_OUT('no live event');

my $clear = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'clear',
    manifestName => 'show');
my ($cid) = ($clear->{SmoothStreaming}[0] // '') =~ m{^/([^/]+)/};
ok($cid, 'clear locator') or BAIL_OUT('no clear locator');

# a content key policy (open), the envelope locator

my $open = { properties => { options => [ { name => 'open',
    configuration => { '@odata.type' =>
        '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
    restriction => { '@odata.type' =>
        '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } };
is($t->api(PUT => 'contentKeyPolicies/ckp', $open)->{status}, 201,
    'content key policy');

my $r = $t->api(PUT => 'streamingLocators/aes', { properties => {
    assetName => 'a1', streamingPolicyName => 'Predefined_ClearKey',
    defaultContentKeyPolicyName => 'ckp' } });
is($r->{status}, 201, 'Predefined_ClearKey locator') or diag($r->{body});
my $aid = $r->{json}{properties}{streamingLocatorId} // 'x';

my $keys = $t->api(POST => 'streamingLocators/aes/listContentKeys')
    ->{json}{contentKeys} // [];
my $kid = $keys->[0]{id} // '';
my $key = unpack('H*', MIME::Base64::decode_base64($keys->[0]{value} // ''));
is(length($key), 32, 'listContentKeys: the AES key') or BAIL_OUT('no key');

# a CBCS policy for HLS with FairPlay, a locator with a given key

my $saes_key = '00112233445566778899aabbccddeeff';
my $saes_kid = '6a5e2b0c-1111-4222-8333-944455556666';

$r = $t->api(PUT => 'streamingPolicies/cbcsFp', { properties => {
    defaultContentKeyPolicyName => 'ckp',
    commonEncryptionCbcs => {
        enabledProtocols => { download => JSON::PP::false,
            dash => JSON::PP::false, hls => JSON::PP::true,
            smoothStreaming => JSON::PP::false },
        contentKeys => { defaultKey => { label => 'cbcsDefaultKey' } },
        drm => { fairPlay => { allowPersistentLicense => JSON::PP::false },
                 playReady => {}, widevine => {} },
    } } });
is($r->{status}, 201, 'CBCS policy with FairPlay') or diag($r->{body});

$r = $t->api(PUT => 'streamingLocators/saes', { properties => {
    assetName => 'a1', streamingPolicyName => 'cbcsFp',
    contentKeys => [ { labelReferenceInStreamingPolicy => 'cbcsDefaultKey',
        id => $saes_kid,
        value => MIME::Base64::encode_base64(pack('H*', $saes_key), '') } ]
    } });
is($r->{status}, 201, 'CBCS locator with a given key') or diag($r->{body});
my $sid = $r->{json}{properties}{streamingLocatorId} // 'x';

# media

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

my $cbase = "/$cid/show.ism";
my $abase = "/$aid/show.ism";
my $sbase = "/$sid/show.ism";

ok(Sluice::Playback::wait_media($t, "$cbase/manifest", 40),
    'recording: media');
ok(Sluice::Playback::wait_fragments($t, "$cbase/manifest", 4),
    'four fragments recorded');

# --- AES-128, TS ---------------------------------------------------------

my $master = "$abase/manifest(format=m3u8-aapl,encryption=cbc).m3u8";
$r = $t->get("$master?token=T0k");
is($r->{status}, 200, 'cbc master: 200') or diag($r->{body});
my $m = $r->{body};

my $aes_url = "http://127.0.0.1:$port/keydelivery/?kid=$kid&token=T0k";
is(scalar(() = $m =~ /^#EXT-X-SESSION-KEY:/mg), 1, 'master: one session key');
like($m, qr/^#EXT-X-SESSION-KEY:METHOD=AES-128,URI="\Q$aes_url\E"$/m,
    'master: the session key, token included, no IV');
like($m, qr/^QualityLevels\(\d+\)\/Manifest\(video,format=m3u8-aapl,encryption=cbc\)\?token=T0k$/m,
    'master: the variant carries the tag and the token');
like($m, qr/URI="QualityLevels\(\d+\)\/Manifest\(audio,format=m3u8-aapl,encryption=cbc\)\?token=T0k"/,
    'master: the audio rendition too');

my ($vpl) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
my ($vdir) = ($vpl // '') =~ m{^(QualityLevels\(\d+\))/};
$r = $t->get("$abase/$vpl");
is($r->{status}, 200, 'cbc playlist: 200');
my $pl = $r->{body};

like($pl, qr/^#EXT-X-VERSION:4$/m, 'cbc playlist: version 4');
my @keys = $pl =~ /^#EXT-X-KEY:(.*)$/mg;
my @segs = Sluice::Playback::segments($pl);
ok(@segs >= 3 && @keys == @segs, 'cbc playlist: a key line per segment')
    or diag($pl);
like($keys[0] // '', qr/^METHOD=AES-128,URI="\Q$aes_url\E",IV=0x[0-9a-f]{32}$/,
    'cbc playlist: AES-128, the key URL with the token, an IV');
my ($seq) = $pl =~ /^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m;
my @ivs = map { /IV=0x([0-9a-f]{32})/ ? $1 : '' } @keys;
is($ivs[0], sprintf('%032x', $seq // -1),
    'IV of the first segment: its media sequence number');
is($ivs[1], sprintf('%032x', ($seq // -1) + 1), 'IV of the second: + 1');
like($segs[0][0] // '', qr/^Fragments\(video=\d+,format=m3u8-aapl,encryption=cbc\)\.ts$/,
    'segment URIs carry the tag, not the token');

# each segment decrypts to the clear one

sub decrypt {
    my ($data, $k, $iv) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'openssl', 'enc', '-d', '-aes-128-cbc', '-K', $k,
        '-iv', $iv ], '<', \$data, '>', \$out, '2>', \$err,
        IPC::Run::timeout(30));
    return $err eq '' ? $out : undef;
}

sub ffprobe_data {
    my ($data, $fmt) = @_;
    my $f = File::Temp->new(SUFFIX => ".$fmt");
    binmode $f;
    print $f $data;
    close $f;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-of', 'json', '-show_streams',
        '-count_frames', $f->filename ], '<', \undef, '>', \$out,
        '2>', \$err, IPC::Run::timeout(60));
    my $j = eval { JSON::PP::decode_json($out) } // {};
    return ($j->{streams} // [], $err);
}

for my $i (0, 1) {
    my $u = $segs[$i][0] // 'x';
    (my $cu = $u) =~ s/,encryption=cbc//;

    my $enc = $t->get("$abase/$vdir/$u");
    my $plain = $t->get("$cbase/$vdir/$cu");
    is($enc->{status}, 200, "TS segment $i: 200");
    is(length($enc->{body}), (int(length($plain->{body}) / 16) + 1) * 16,
        "TS segment $i: the clear size padded to the next block");
    is($enc->{headers}{'content-length'}, length($enc->{body}),
        "TS segment $i: Content-Length the encrypted size");
    ok($enc->{body} ne $plain->{body}, "TS segment $i: not the clear bytes");
    ok(substr($enc->{body}, 0, 1) ne "\x47" || substr($enc->{body}, 188, 1)
        ne "\x47", "TS segment $i: no TS sync bytes");
    ok(decrypt($enc->{body}, $key, $ivs[$i]) eq $plain->{body},
        "TS segment $i: openssl decrypts it to the clear segment");
    ok(!defined decrypt($enc->{body}, $key, $ivs[1 - $i])
        || decrypt($enc->{body}, $key, $ivs[1 - $i]) ne $plain->{body},
        "TS segment $i: not with another segment's IV");
    is($t->get("$abase/$vdir/$u")->{body}, $enc->{body},
        "TS segment $i: the same bytes again");

    if ($i == 0) {
        my ($s, $err) = ffprobe_data(decrypt($enc->{body}, $key, $ivs[0]),
            'ts');
        ok((grep { ($_->{codec_name} // '') eq 'h264'
                   && ($_->{nb_read_frames} // 0) > 10 } @$s),
            'decrypted TS: ffprobe decodes the h264 frames') or diag($err);

        my $h = $t->head("$abase/$vdir/$u");
        is($h->{headers}{'content-length'}, length($enc->{body}),
            'HEAD: the encrypted Content-Length');
        my $rg = $t->get("$abase/$vdir/$u",
            headers => { Range => 'bytes=16-47' });
        ok($rg->{status} == 206 && $rg->{body} eq substr($enc->{body}, 16, 32),
            'Range: the encrypted bytes');
        like($enc->{headers}{'cache-control'} // '', qr/immutable/,
            'encrypted segment: cached as a clear one');
    }
}

# m3u8-aapl-v3: audio muxed, one key

$r = $t->get("$abase/$vdir/Manifest(video,format=m3u8-aapl-v3,"
    . 'encryption=cbc)');
like($r->{body}, qr/^#EXT-X-VERSION:3$/m, 'v3 playlist: version 3');
my @v3 = Sluice::Playback::segments($r->{body});
my ($v3iv) = $r->{body} =~ /IV=0x([0-9a-f]{32})/;
my $v3enc = $t->get("$abase/$vdir/" . ($v3[0][0] // 'x'))->{body};
my ($s3, $e3) = ffprobe_data(decrypt($v3enc, $key, $v3iv // '0') // '', 'ts');
ok((grep { ($_->{codec_name} // '') eq 'h264' } @$s3)
    && (grep { ($_->{codec_name} // '') eq 'aac'
               && ($_->{nb_read_frames} // 0) > 10 } @$s3),
    'v3 segment decrypted: h264 and aac decode') or diag($e3);

# --- AES-128, fMP4 ------------------------------------------------------

$r = $t->get("$abase/$vdir/Manifest(video,format=m3u8-cmaf,encryption=cbc)");
is($r->{status}, 200, 'cmaf cbc playlist: 200');
my $cpl = $r->{body};
like($cpl, qr/^#EXT-X-MAP:URI="Fragments\(video=i,format=m3u8-cmaf,encryption=cbc\)\.mp4"\n(?:#EXT-X-PROGRAM-DATE-TIME:[^\n]*\n)?#EXT-X-KEY:METHOD=AES-128,/m,
    'cmaf: EXT-X-KEY after EXT-X-MAP (the init segment stays clear)');
unlike($cpl, qr/#EXT-X-KEY[^\n]*\n(?:#[^\n]*\n)*#EXT-X-MAP/,
    'cmaf: no key before the map');

my $cinit = $t->get("$abase/$vdir/Fragments(video=i,format=m3u8-cmaf,"
    . 'encryption=cbc)')->{body};
is($cinit, $t->get("$cbase/$vdir/Fragments(video=i,format=m3u8-cmaf)")
    ->{body}, 'cmaf: the init segment is the clear one');

my @cs = Sluice::Playback::segments($cpl);
my ($civ) = $cpl =~ /IV=0x([0-9a-f]{32})/;
my $cenc = $t->get("$abase/$vdir/" . ($cs[0][0] // 'x'));
(my $cclear = $cs[0][0] // 'x') =~ s/,encryption=cbc//;
my $cplain = $t->get("$cbase/$vdir/$cclear")->{body};
is($cenc->{status}, 200, 'cmaf segment: 200');
ok($cenc->{body} ne $cplain, 'cmaf segment: encrypted');
my $cdec = decrypt($cenc->{body}, $key, $civ // '0');
ok(defined $cdec && $cdec eq $cplain,
    'cmaf segment: openssl decrypts it to the stored fragment');
my ($s4, $e4) = ffprobe_data($cinit . ($cdec // ''), 'mp4');
ok((grep { ($_->{codec_name} // '') eq 'h264'
           && ($_->{nb_read_frames} // 0) > 10 } @$s4),
    'init + decrypted fragment: ffprobe decodes it') or diag($e4);

# --- SAMPLE-AES, TS ------------------------------------------------------

$master = "$sbase/manifest(format=m3u8-aapl,encryption=cbcs-aapl).m3u8";
$r = $t->get($master);
is($r->{status}, 200, 'cbcs-aapl master: 200') or diag($r->{body});
$m = $r->{body};
like($m, qr/^#EXT-X-VERSION:5$/m, 'master: version 5 (KEYFORMAT)');
like($m, qr{^#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="http://127\.0\.0\.1:$port/keydelivery/\?kid=\Q$saes_kid\E"$}m,
    'master: the identity session key');
like($m, qr{^#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://127\.0\.0\.1:$port/keydelivery/FairPlay/\?kid=\Q$saes_kid\E",KEYFORMAT="com\.apple\.streamingkeydelivery",KEYFORMATVERSIONS="1"$}m,
    'master: the FairPlay session key');

my %pl;

for my $type (qw(video audio)) {
    my ($p) = $m =~ m{(QualityLevels\(\d+\)/Manifest\($type,[^\n"]*)}
        or next;
    my ($dir) = $p =~ m{^(QualityLevels\(\d+\))/};
    my $body = $t->get("$sbase/$p")->{body};
    $pl{$type} = { dir => $dir, body => $body };
}

$pl = $pl{video}{body} // '';
like($pl, qr/^#EXT-X-KEY:METHOD=SAMPLE-AES,URI="http[^"]+",IV=0x[0-9a-f]{32}\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd:[^"]+",IV=0x[0-9a-f]{32},KEYFORMAT="com\.apple\.streamingkeydelivery",KEYFORMATVERSIONS="1"\n#EXTINF/m,
    'SAMPLE-AES playlist: identity and FairPlay key lines per segment');

my $tmp = File::Temp->newdir();
my $keyfile = "$tmp/key.bin";
open my $kf, '>:raw', $keyfile or die;
print $kf pack('H*', $saes_key);
close $kf;

# a local playlist of segments [URI, seconds, IV]; $keyed: with key lines

sub local_playlist {
    my ($name, $keyed, @s) = @_;

    my $out = "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:4\n"
        . "#EXT-X-MEDIA-SEQUENCE:0\n";

    for my $s (@s) {
        $out .= "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"key.bin\",IV=$s->[2]\n"
            if $keyed;
        $out .= "#EXTINF:$s->[1],\n$s->[0]\n";
    }

    $out .= "#EXT-X-ENDLIST\n";

    open my $fh, '>', "$tmp/$name.m3u8" or die;
    print $fh $out;
    close $fh;

    return "$tmp/$name.m3u8";
}

sub framemd5 {
    my ($playlist, $map) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffmpeg', '-v', 'error', '-allowed_extensions', 'ALL',
        '-protocol_whitelist', 'file,http,tcp,crypto,data',
        '-i', $playlist, '-map', $map, '-f', 'framemd5', '-' ],
        '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(90));
    my @md5 = grep { !/^#/ } split /\n/, $out;
    return (\@md5, $err);
}

sub differing {
    my ($a, $b) = @_;
    return scalar grep { ($a->[$_] // '') ne ($b->[$_] // '') }
        0 .. ($#$a > $#$b ? $#$a : $#$b);
}

# the segments of a SAMPLE-AES media playlist: [encrypted URL, clear URL,
# seconds, IV]

sub saes_segments {
    my ($p) = @_;

    my @s = Sluice::Playback::segments($p->{body});
    my @iv = $p->{body}
        =~ /^#EXT-X-KEY:METHOD=SAMPLE-AES,URI="http[^"]*",IV=(0x[0-9a-f]+)$/mg;

    return map {
        (my $c = $s[$_][0]) =~ s/,encryption=cbcs-aapl//;
        [ "http://127.0.0.1:$port$sbase/$p->{dir}/$s[$_][0]",
          "http://127.0.0.1:$port$cbase/$p->{dir}/$c", $s[$_][1], $iv[$_] ]
    } 0 .. $#s;
}

# FFmpeg 5.1's HLS demuxer decrypts each packet with the IV of the
# segment it reads when the MPEG-TS demuxer hands the packet over; that
# demuxer hands a segment's last video access unit over only once the
# next segment's bytes (or the end) arrive, so that one access unit per
# segment is decrypted with the next segment's IV or not at all.  So
# FFmpeg must give every frame as the clear one but one per segment
# (audio: all of them), and without the key far fewer; the exact
# decryption of every slice NAL unit is checked after this, and hls.js
# plays it in t/077.

for my $type (qw(video audio)) {
    my $p = $pl{$type} or do { fail("$type playlist"); next };
    my $map = $type eq 'video' ? '0:v' : '0:a';
    my @s = (saes_segments($p))[0, 1];

    my ($want, $e1) = framemd5(local_playlist("c$type", 0,
        map { [ $_->[1], $_->[2] ] } @s), $map);
    my ($got, $e2) = framemd5(local_playlist("e$type", 1,
        map { [ $_->[0], $_->[2], $_->[3] ] } @s), $map);
    my ($bad) = framemd5(local_playlist("n$type", 0,
        map { [ $_->[0], $_->[2] ] } @s), $map);
    my $allowed = $type eq 'video' ? scalar @s : 0;

    ok(@$want > 50, "clear $type: decoded frames") or diag($e1);
    is(scalar @$got, scalar @$want, "SAMPLE-AES $type: as many frames");
    ok(differing($got, $want) <= $allowed,
        "SAMPLE-AES $type: FFmpeg decrypts to the clear frames"
        . ($type eq 'video' ? " (all but $allowed at most)" : ''))
        or diag(differing($got, $want) . " frames differ\n$e2");
    ok(differing($bad, $want) > @$want / 2,
        "SAMPLE-AES $type: without the key, other frames");
}

my @vsegs = saes_segments($pl{video} // {});

# Apple's SAMPLE-AES decrypted here as the decryptors do (FFmpeg's
# hls_sample_encryption.c, hls.js): from a slice NAL unit of more than 48
# bytes the emulation prevention bytes are removed, then the 16-byte
# blocks at 32, 32 + 160, ... (while more than 16 bytes remain) are
# AES-128-CBC decrypted, the chain starting from the IV at each NAL
# unit.  The result must be the clear NAL unit as stored, its own
# emulation prevention bytes included: the decryptors hand it to the
# decoder as it is.  One `openssl enc -aes-128-ecb` for all the blocks
# of a segment; the chaining is done here.

# the NAL units of the video stream of a TS segment, in order
sub ts_video_nals {
    my ($ts) = @_;
    my ($pmt, $vpid, @pes) = (-1, -1);

    for (my $o = 0; $o + 188 <= length $ts; $o += 188) {
        my ($sync, $b1, $b2, $b3) = unpack 'C4', substr($ts, $o, 4);
        return [] unless $sync == 0x47;
        my $pid = (($b1 & 0x1f) << 8) | $b2;
        my $at = 4;
        $at += 1 + ord(substr($ts, $o + 4, 1)) if $b3 & 0x20;
        next unless $b3 & 0x10 && $at < 188;
        my $pl = substr($ts, $o + $at, 188 - $at);

        if ($pid == 0 || $pid == $pmt) {
            my $sec = substr($pl, 1 + ord $pl);
            if ($pid == 0) {
                $pmt = unpack('n', substr($sec, 10, 2)) & 0x1fff;
                next;
            }
            my $end = 3 + (unpack('n', substr($sec, 1, 2)) & 0xfff) - 4;
            my $i = 12 + (unpack('n', substr($sec, 10, 2)) & 0xfff);
            while ($i + 5 <= $end) {
                my ($st, $ep, $el) = unpack 'Cnn', substr($sec, $i, 5);
                $vpid = $ep & 0x1fff if $st == 0x1b || $st == 0xdb;
                $i += 5 + ($el & 0xfff);
            }
            next;
        }

        next unless $pid == $vpid;
        push @pes, '' if $b1 & 0x40;
        $pes[-1] .= $pl if @pes;
    }

    my @nals;
    for my $p (@pes) {
        my $es = substr($p, 9 + ord(substr($p, 8, 1)));
        push @nals, grep { length } map { s/\x00+\z//r }
            split /\x00\x00\x01/, $es;
    }
    return \@nals;
}

sub saes_decrypt {
    my ($nals, $khex, $ivhex) = @_;
    my $iv = pack 'H*', substr($ivhex, 2);
    my (@work, $blocks);

    for my $n (@$nals) {
        my $type = ord($n) & 0x1f;
        if (($type != 1 && $type != 5) || length($n) <= 48) {
            push @work, [ $n ];
            next;
        }
        (my $raw = $n) =~ s/\x00\x00\x03(?=.)/\x00\x00/gs;
        my @at;
        for (my $k = 32; length($raw) - $k > 16; $k += 160) {
            push @at, $k;
            $blocks .= substr($raw, $k, 16);
        }
        push @work, [ $raw, @at ];
    }

    my ($plain, $err) = ('', '');
    IPC::Run::run([ 'openssl', 'enc', '-d', '-aes-128-ecb', '-nopad',
        '-K', $khex ], '<', \($blocks // ''), '>', \$plain, '2>', \$err,
        IPC::Run::timeout(30));

    my $pos = 0;
    return [ map {
        my ($raw, @at) = @$_;
        my $prev = $iv;
        for my $k (@at) {
            my $c = substr($raw, $k, 16);
            substr($raw, $k, 16) = substr($plain, $pos, 16) ^ $prev;
            $prev = $c;
            $pos += 16;
        }
        $raw;
    } @work ];
}

for my $i (0, 1) {
    my $s = $vsegs[$i] or do { fail("SAMPLE-AES segment $i"); next };
    my $enc = ts_video_nals($t->get($s->[0])->{body});
    my $clear = ts_video_nals($t->get($s->[1])->{body});
    my @slices = grep { my $ty = ord($_) & 0x1f;
                        ($ty == 1 || $ty == 5) && length > 48 } @$clear;
    my $escaped = grep { /\x00\x00\x03/ } @slices;
    my $dec = saes_decrypt($enc, $saes_key, $s->[3] // '0x0');

    ok(@slices > 50 && @$dec == @$clear
        && !grep({ $dec->[$_] ne $clear->[$_] } 0 .. $#$clear),
        "SAMPLE-AES segment $i: its " . @slices . ' slice NAL units ('
        . "$escaped with emulation prevention bytes) decrypt to the clear "
        . 'ones as stored');
    is(scalar(grep { my $ty = ord($clear->[$_]) & 0x1f;
                     $enc->[$_] ne $clear->[$_] } 0 .. $#$clear),
        scalar @slices,
        "SAMPLE-AES segment $i: the slices differ from the clear ones, "
        . 'nothing else');
}

# the PMT says SAMPLE-AES; the segment differs from the clear one

my @vs = Sluice::Playback::segments($pl);
my $vseg = $t->get($vsegs[0][0] // 'x')->{body};
ok($vseg ne $t->get($vsegs[0][1] // 'x')->{body},
    'SAMPLE-AES segment: not the clear one');
is($t->get($vsegs[0][0] // 'x')->{body}, $vseg,
    'SAMPLE-AES segment: the same bytes again');
like(substr($vseg, 188, 188), qr/\xdb\xe1\x00\xf0\x06\x0f\x04zavc/,
    'PMT: stream type 0xdb with the zavc private data indicator');

# fMP4 cbcs playlists: SAMPLE-AES, identity, FairPlay, Widevine and
# PlayReady lines once after EXT-X-MAP, no IV (it is in the init segment)

my $vcmaf = ($pl{video}{dir} // 'x')
    . '/Manifest(video,format=m3u8-cmaf,encryption=cbcs-aapl)';
$r = $t->get("$sbase/$vcmaf");
is($r->{status}, 200, 'cmaf cbcs-aapl playlist: 200');
my $kl = join "\n", $r->{body} =~ /^(#EXT-X-KEY:.*)$/mg;
is(scalar(() = $kl =~ /#EXT-X-KEY:METHOD=SAMPLE-AES,/g), 4,
    'cmaf cbcs-aapl: four key lines') or diag($r->{body});
unlike($kl, qr/IV=/, 'cmaf cbcs-aapl: no IV');
like($r->{body}, qr/^#EXT-X-MAP:[^\n]*\n(?:#EXT-X-PROGRAM-DATE-TIME:[^\n]*\n)?#EXT-X-KEY:METHOD=SAMPLE-AES,URI="http/m,
    'cmaf cbcs-aapl: the key lines after EXT-X-MAP');
my ($pssh) = $kl =~ m{URI="data:text/plain;base64,([^"]+)",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"};
my $box = MIME::Base64::decode_base64($pssh // '');
(my $kidhex = $saes_kid) =~ s/-//g;
ok(substr($box, 4, 4) eq 'pssh' && index($box, pack('H*', $kidhex)) > 0,
    'Widevine: a pssh box with the KID');
my ($pro) = $kl =~ m{URI="data:text/plain;charset=UTF-16;base64,([^"]+)",KEYFORMAT="com\.microsoft\.playready",KEYFORMATVERSIONS="1"};
my $prx = MIME::Base64::decode_base64($pro // '');
$prx =~ s/\0//g;
like($prx, qr/<WRMHEADER[^>]*version="4\.3\.0\.0".*AESCBC/s,
    'PlayReady: a 4.3 header object, AESCBC');

# --- refusals ------------------------------------------------------------

is($t->get("$abase/manifest(format=m3u8-aapl,encryption=cenc)")->{status},
    400, 'cenc on TS: 400');
is($t->get("$sbase/manifest(format=m3u8-aapl-v3,encryption=cbcs-aapl)")
    ->{status}, 400, 'cbcs-aapl on m3u8-aapl-v3: 400');
is($t->get("$abase/manifest(format=m3u8-aapl,encryption=cbcs-aapl)")
    ->{status}, 403, 'a scheme the policy does not enable: 403');
is($t->get("$abase/$vdir/" . ($vs[0][0] // 'x'))->{status}, 403,
    'a segment of that scheme: 403');
is($t->get("$cbase/manifest(format=m3u8-aapl,encryption=cbc)")->{status},
    403, 'the clear locator does not encrypt: 403');

$t->stop_publisher($pub);

$t->done_testing();
