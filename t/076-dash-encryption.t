#!/usr/bin/perl

# Common Encryption of DASH and Smooth (issue 9): a recording published by
# a locator whose streaming policy enables 'cenc' (DASH, Smooth) and
# 'cbcs' (DASH), keys from listContentKeys.
#
#   - the MPD's ContentProtection: mp4protection with the default KID,
#     ClearKey with its licence URL, Widevine and PlayReady with pssh
#     boxes and the PlayReady Header Object, decoded here from the
#     specifications (protobuf, little-endian records, UTF-16LE XML) and
#     checked against the key (KID byte order, CHECKSUM);
#   - init segments: encv/enca with sinf/tenc, pssh boxes in the moov;
#     fragments: senc, saiz, saio; the encrypted mdat differs from the
#     clear one (a clear locator on the same asset) and the same URL
#     gives the same bytes; HEAD and ranges;
#   - FFmpeg decrypts init + fragment with the key into exactly the
#     frames of the clear ones (framemd5), 'cenc' and 'cbcs';
#   - Smooth: the ProtectionHeader decodes, fragments carry senc ('cenc')
#     or the PIFF sample encryption box ('piff');
#   - Shaka Player and dash.js play the 'cenc' MPD in headless Chromium
#     with the key given (ClearKey), Shaka the 'cbcs' one; with the key
#     service (sluice_key_delivery) Shaka and dash.js get the licence
#     from Sluice.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;
use Sluice::Ingest;

use Encode ();
use IPC::Run ();
use MIME::Base64 qw(decode_base64 encode_base64);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'openssl');

# the key delivery service (issue 9's key-service work), when the sources
# have its directive: the licence cases run only then
my $src = "$FindBin::Bin/../src";
my $keys = `grep -rlF 'ngx_string("sluice_key_delivery")' $src`;

# as Sluice::Playback::config, with the key service beside the packager
$t->write_sluice_conf(
    http => "sluice_transition_time 0s;\n",
    server => "server_name localhost;\n"
              . ($keys ? "location /keydelivery/ { sluice_key_delivery; }"
                       : ''),
    location => "aio threads=sluice;\n");
$t->run();

my $token = '0123456789abcdef0123456789abcdef';
my $port = $t->port(8080);

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $r = $t->api(PUT => 'contentKeyPolicies/ckOpen', { properties => {
    options => [ { name => 'clearKey',
        configuration => {
            '@odata.type' => '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
        restriction => {
            '@odata.type' => '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } });
ok($r->{status} == 201 || $r->{status} == 200, 'content key policy ckOpen')
    or diag($r->{body});

my $on = JSON::PP::true;
my $off = JSON::PP::false;

$r = $t->api(PUT => 'streamingPolicies/cenc', { properties => {
    defaultContentKeyPolicyName => 'ckOpen',
    commonEncryptionCenc => {
        enabledProtocols => { download => $off, dash => $on, hls => $off,
                              smoothStreaming => $on },
        contentKeys => { defaultKey => { label => 'cencKey' } },
        drm => { playReady => {}, widevine => {} } },
    commonEncryptionCbcs => {
        enabledProtocols => { download => $off, dash => $on, hls => $on,
                              smoothStreaming => $off },
        contentKeys => { defaultKey => { label => 'cbcsKey' } } } } });
is($r->{status}, 201, 'streaming policy: cenc (DASH, Smooth), cbcs (DASH)')
    or diag($r->{body});

my $ev = $t->create_live_event('ev1', token => $token);
ok($ev, 'ev1 running') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'enc',
    manifestName => 'show', policy => 'cenc');
my $clear = Sluice::Playback::locator($t, 'clear', 'a1');

$r = $t->api(POST => 'streamingLocators/enc/listContentKeys');
my %key;
for my $k (@{ $r->{json}{contentKeys} // [] }) {
    $key{ $k->{type} } = { kid => $k->{id},
                           hex => unpack('H*', decode_base64($k->{value})) };
}
ok($key{CommonEncryptionCenc} && $key{CommonEncryptionCbcs},
    'listContentKeys: a cenc and a cbcs key') or BAIL_OUT($r->{body});

# every path of every (protocol, scheme) entry of listPaths
$r = $t->api(POST => 'streamingLocators/enc/listPaths');
my @all = map { @{ $_->{paths} // [] } } @{ $r->{json}{streamingPaths} // [] };
my ($dash) = grep { /format=mpd-time-csf,encryption=cenc/ } @all;
ok((grep { /\(encryption=cenc\)$/ } @all)
    && (grep { /format=mpd-time-cmaf,encryption=cbcs/ } @all),
    'listPaths: Smooth cenc, DASH cbcs too');
my ($cpath) = grep { /format=mpd-time-csf/ } @{ $clear->{Dash} // [] };
ok($dash && $cpath, "listPaths: DASH cenc, clear DASH")
    or diag(JSON::PP->new->canonical->encode([$paths, $clear]))
    or BAIL_OUT('no paths');
my ($id) = $dash =~ m{^/([^/]+)/};
my ($cid) = $cpath =~ m{^/([^/]+)/};
my $base = "/$id/show.ism";

my $pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 8,
    gop => 2), loop => 1,
    url => "rtmp://127.0.0.1:" . $t->port(1935) . "/live/$token/stream");

ok(Sluice::Playback::wait_media($t, "/$cid/show.ism/manifest", 40),
    'recording');
ok(Sluice::Playback::wait_fragments($t, "/$cid/show.ism/manifest", 4),
    'four fragments');

# --- helpers -------------------------------------------------------------

# the boxes of $data: [type, payload, offset of the box]
sub boxes {
    my ($data) = @_;
    my ($pos, @b) = (0);

    while ($pos + 8 <= length $data) {
        my ($size, $type) = unpack('Na4', substr($data, $pos, 8));
        last if $size < 8 || $pos + $size > length $data;
        push @b, [ $type, substr($data, $pos + 8, $size - 8), $pos ];
        $pos += $size;
    }

    return @b;
}

# a box by path "moov/trak/..."; the payload of the first match
sub box {
    my ($data, $path) = @_;
    my @p = split m{/}, $path;

    for my $i (0 .. $#p) {
        my ($b) = grep { $_->[0] eq $p[$i] } boxes($data);
        return undef unless $b;
        $data = $b->[1];
    }

    return $data;
}

sub uuid_bytes {
    my ($u) = @_;
    (my $h = $u) =~ s/-//g;
    return pack('H*', $h);
}

# pssh box payload: (version, system id hex, [kids], data)
sub pssh {
    my ($p) = @_;
    my ($vf, $sys) = unpack('N a16', $p);
    my $v = $vf >> 24;
    my $pos = 20;
    my @kids;

    if ($v > 0) {
        my $n = unpack('N', substr($p, $pos, 4));
        $pos += 4;
        push @kids, unpack('H*', substr($p, $pos + 16 * $_, 16)) for 0 .. $n - 1;
        $pos += 16 * $n;
    }

    my $len = unpack('N', substr($p, $pos, 4));
    return ($v, unpack('H*', $sys), \@kids, substr($p, $pos + 4, $len));
}

# WidevinePsshData (protobuf): field 2 key_id, field 9 protection_scheme
sub widevine {
    my ($d) = @_;
    my %f;

    while (length $d) {
        my $tag = ord(substr($d, 0, 1, ''));
        my ($field, $wire) = ($tag >> 3, $tag & 7);
        my $v = 0;
        my $shift = 0;

        if ($wire == 0 || $wire == 2) {
            my $b;
            do {
                $b = ord(substr($d, 0, 1, ''));
                $v |= ($b & 0x7f) << $shift;
                $shift += 7;
            } while ($b & 0x80);
        } else {
            return undef;
        }

        $f{$field} = $wire == 2 ? substr($d, 0, $v, '') : $v;
    }

    return \%f;
}

# PlayReady Header Object: little-endian length, count, records (type,
# length, UTF-16LE WRMHEADER)
sub pro_xml {
    my ($pro) = @_;
    my ($len, $count) = unpack('V v', $pro);
    return undef unless $len == length $pro && $count >= 1;
    my ($type, $rlen) = unpack('v v', substr($pro, 6, 4));
    return undef unless $type == 1 && 10 + $rlen <= $len;
    return Encode::decode('UTF-16LE', substr($pro, 10, $rlen));
}

# the KID in PlayReady's GUID order (first three fields little-endian)
sub pr_kid {
    my ($bytes) = @_;
    my @b = unpack('C16', $bytes);
    return pack('C16', @b[3, 2, 1, 0, 5, 4, 7, 6, 8 .. 15]);
}

# AES-128-ECB of one block, with openssl(1)
sub ecb {
    my ($keyhex, $block) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'openssl', 'enc', '-aes-128-ecb', '-nopad', '-K',
        $keyhex ], '<', \$block, '>', \$out, '2>', \$err);
    return $out;
}

sub check_pro {
    my ($pro, $k, $what, $cbcs) = @_;
    my $xml = pro_xml($pro) // '';
    my $kid = uuid_bytes($k->{kid});
    my $le = encode_base64(pr_kid($kid), '');

    if ($cbcs) {
        like($xml, qr/version="4\.3\.0\.0".*<KID ALGID="AESCBC" VALUE="\Q$le\E"/s,
            "$what: PlayReady header 4.3 AESCBC with the KID");
        return;
    }

    my $sum = encode_base64(substr(ecb($k->{hex}, pr_kid($kid)), 0, 8), '');
    like($xml, qr/^<WRMHEADER xmlns="http:\/\/schemas\.microsoft\.com\/DRM\/2007\/03\/PlayReadyHeader" version="4\.0\.0\.0">/,
        "$what: PlayReady header 4.0.0.0") or diag($xml);
    like($xml, qr{<ALGID>AESCTR</ALGID>.*<KID>\Q$le\E</KID><CHECKSUM>\Q$sum\E</CHECKSUM>}s,
        "$what: KID in GUID order, CHECKSUM from the key");
    like($xml, qr{<LA_URL>http://127\.0\.0\.1:$port/keydelivery/PlayReady/</LA_URL>},
        "$what: LA_URL, the key service's");
}

# SegmentTemplate media/init URLs, bandwidth and first time of a type
sub template {
    my ($mpd, $type) = @_;
    my ($set) = $mpd =~ m{(<AdaptationSet\b[^>]*contentType="$type".*?</AdaptationSet>)}s;
    return () unless $set;
    my ($media) = $set =~ /media="([^"]+)"/;
    my ($init) = $set =~ /initialization="([^"]+)"/;
    my ($bw) = $set =~ /<Representation\b[^>]*bandwidth="(\d+)"/;
    my ($time) = $set =~ /<S\b[^>]*\bt="(\d+)"/;
    s/\$Bandwidth\$/$bw/ for $media, $init;
    $media =~ s/\$Time\$/$time/;
    return ($set, $media, $init);
}

sub write_tmp {
    my ($name, $data) = @_;
    my $f = $t->testdir . "/$name";
    open(my $fh, '>:raw', $f) or die "$f: $!";
    print $fh $data;
    close $fh;
    return $f;
}

# framemd5 of a file, decrypted with $keyhex when given
sub frames {
    my ($file, $keyhex) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffmpeg', '-v', 'error',
        ($keyhex ? ('-decryption_key', $keyhex) : ()), '-i', $file,
        '-f', 'framemd5', '-' ], '<', \undef, '>', \$out, '2>', \$err,
        IPC::Run::timeout(60));
    my @f = grep { !/^#/ } split /\n/, $out;
    return (\@f, $err);
}

# --- the MPD ------------------------------------------------------------

my $ck = $key{CommonEncryptionCenc};
my $bk = $key{CommonEncryptionCbcs};

$r = $t->get($dash);
is($r->{status}, 200, 'cenc MPD: 200');
my $mpd = $r->{body};

like($mpd, qr/<MPD [^>]*xmlns:cenc="urn:mpeg:cenc:2013"[^>]*xmlns:mspr="urn:microsoft:playready"/,
    'MPD: cenc and mspr namespaces');

for my $type (qw(video audio)) {
    my ($set, $media, $init) = template($mpd, $type);
    ok($set, "$type AdaptationSet") or next;

    like($set, qr{<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="\Q$ck->{kid}\E"/>}i,
        "$type: mp4protection cenc with the default KID");
    like($set, qr{schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1\.0">\s*<dashif:Laurl>http://127\.0\.0\.1:$port/keydelivery/ClearKey/</dashif:Laurl>},
        "$type: ClearKey with the key service's licence URL");
    like($media, qr/format=mpd-time-csf,encryption=cenc\)$/,
        "$type: fragment URLs carry the encryption");
    like($init, qr/=i,format=mpd-time-csf,encryption=cenc\)$/,
        "$type: init URL carries the encryption");

    my ($wv) = $set =~ m{urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" value="Widevine">\s*<cenc:pssh>([^<]+)</cenc:pssh>};
    my ($ver, $sys, $kids, $data) = pssh(substr(decode_base64($wv // ''), 8));
    is($sys, 'edef8ba979d64acea3c827dcd51d21ed', "$type: Widevine pssh");
    my $f = widevine($data // '') // {};
    is(unpack('H*', $f->{2} // ''), unpack('H*', uuid_bytes($ck->{kid})),
        "$type: Widevine pssh data: key_id");
    is($f->{9}, 0x63656e63, "$type: Widevine pssh data: protection 'cenc'");

    my ($prp, $pro) = $set =~ m{urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95" value="MSPR 2\.0">\s*<cenc:pssh>([^<]+)</cenc:pssh>\s*<mspr:pro>([^<]+)</mspr:pro>};
    ($ver, $sys, $kids, $data) = pssh(substr(decode_base64($prp // ''), 8));
    is($sys, '9a04f07998404286ab92e65be0885f95', "$type: PlayReady pssh");
    is($data, decode_base64($pro // ''), "$type: its data is the mspr:pro");
    check_pro(decode_base64($pro // ''), $ck, $type, 0);
}

# --- init segments and fragments ----------------------------------------

my %clearbytes;

for my $type (qw(video audio)) {
    my ($set, $media, $init) = template($mpd, $type);
    next unless $set;

    my $i = $t->get("$base/$init");
    my $f = $t->get("$base/$media");
    is($i->{status}, 200, "$type init: 200");
    is($f->{status}, 200, "$type fragment: 200");

    my $entry = $type eq 'video' ? 'encv' : 'enca';
    my $stsd = box($i->{body}, 'moov/trak/mdia/minf/stbl/stsd') // '';
    is(substr($stsd, 12, 4), $entry, "$type init: $entry sample entry");
    my $sinf = index($stsd, 'sinf');
    ok($sinf > 0, "$type init: sinf");
    my $frma = box(substr($stsd, $sinf - 4), 'sinf/frma') // '';
    is($frma, $type eq 'video' ? 'avc1' : 'mp4a', "$type init: frma");
    my $t0 = box(substr($stsd, $sinf - 4), 'sinf/schi/tenc') // '';
    is(unpack('H*', substr($t0, 4)), '00000108' . unpack('H*',
        uuid_bytes($ck->{kid})), "$type init: tenc v0, 8-byte IVs, KID");

    my @pssh = map { [ pssh($_->[1]) ] } grep { $_->[0] eq 'pssh' }
        boxes(box($i->{body}, 'moov') // '');
    is_deeply([ map { $_->[1] } @pssh ],
        [ '1077efecc0b24d02ace33c1e52e2fb4b',
          'edef8ba979d64acea3c827dcd51d21ed',
          '9a04f07998404286ab92e65be0885f95' ],
        "$type init: pssh of the common system, Widevine, PlayReady");
    is_deeply($pssh[0][2], [ unpack('H*', uuid_bytes($ck->{kid})) ],
        "$type init: common pssh v1 with the KID");

    my $traf = box($f->{body}, 'moof/traf') // '';
    is_deeply([ grep { /^(senc|saiz|saio)$/ } map { $_->[0] } boxes($traf) ],
        [ qw(senc saiz saio) ], "$type fragment: senc, saiz, saio");

    # the same fragment, clear, through the clear locator
    (my $cmedia = $media) =~ s/,encryption=cenc//;
    (my $cinit = $init) =~ s/,encryption=cenc//;
    my $cf = $t->get("/$cid/show.ism/$cmedia");
    my $ci = $t->get("/$cid/show.ism/$cinit");
    is($cf->{status}, 200, "$type: clear fragment");
    my $mdat = box($f->{body}, 'mdat') // '';
    my $cmdat = box($cf->{body}, 'mdat') // '';
    is(length $mdat, length $cmdat, "$type: same mdat size as clear");
    isnt($mdat, $cmdat, "$type: the mdat is encrypted");

    my $again = $t->get("$base/$media");
    ok($again->{body} eq $f->{body}, "$type fragment: same bytes again");
    is($f->{headers}{'content-length'}, length $f->{body},
        "$type fragment: Content-Length");
    like($f->{headers}{'cache-control'} // '', qr/max-age=\d+/,
        "$type fragment: Cache-Control");

    my $h = $t->head("$base/$media");
    is($h->{headers}{'content-length'}, length $f->{body},
        "$type fragment: HEAD Content-Length");
    my $rg = $t->http(GET => "$base/$media",
        headers => { Range => 'bytes=10-29' });
    is($rg->{status}, 206, "$type fragment: range 206");
    is($rg->{body}, substr($f->{body}, 10, 20), "$type fragment: range bytes");

    # FFmpeg decrypts to the clear frames
    my ($enc) = frames(write_tmp("$type-enc.mp4", $i->{body} . $f->{body}),
                       $ck->{hex});
    my ($cl) = frames(write_tmp("$type-clear.mp4", $ci->{body} . $cf->{body}));
    ok(@$cl > 0 && "@$enc" eq "@$cl",
        "$type: FFmpeg decrypts 'cenc' to the clear frames (" . @$cl . ')');
    my ($bad) = frames(write_tmp("$type-enc2.mp4", $i->{body} . $f->{body}),
                       '00' x 16);
    ok("@$bad" ne "@$cl", "$type: not with another key");

    $clearbytes{$type} = [ $ci->{body} . $cf->{body}, $cinit, $cmedia ];
}

# --- cbcs ---------------------------------------------------------------

(my $cbcs = $dash) =~ s/encryption=cenc/encryption=cbcs/;
$r = $t->get($cbcs);
is($r->{status}, 200, 'cbcs MPD: 200');

for my $type (qw(video audio)) {
    my ($set, $media, $init) = template($r->{body}, $type);
    ok($set && $set =~ m{value="cbcs" cenc:default_KID="\Q$bk->{kid}\E"}i,
        "cbcs $type: mp4protection cbcs, its KID");
    next unless $set && $clearbytes{$type};

    my $i = $t->get("$base/$init");
    my $f = $t->get("$base/$media");
    my $stsd = box($i->{body}, 'moov/trak/mdia/minf/stbl/stsd') // '';
    my $sinf = index($stsd, 'sinf');
    my $tenc = box(substr($stsd, $sinf - 4), 'sinf/schi/tenc') // '';
    is(unpack('H*', substr($tenc, 0, 8)),
        '01000000' . '00' . ($type eq 'video' ? '19' : '10') . '0100',
        "cbcs $type: tenc v1, pattern, constant IV");
    is(length $tenc, 4 + 4 + 16 + 1 + 16, "cbcs $type: 16-byte constant IV");

    my ($enc, $err) = frames(write_tmp("$type-cbcs.mp4",
                                       $i->{body} . $f->{body}), $bk->{hex});
    my ($cl) = frames(write_tmp("$type-clear2.mp4", $clearbytes{$type}[0]));
    ok(@$cl > 0 && "@$enc" eq "@$cl",
        "cbcs $type: FFmpeg decrypts to the clear frames") or diag($err);

    # HLS fMP4 segments (m3u8-cmaf, cbcs-aapl): the same 'cbcs' bytes
    s/format=mpd-time-csf,encryption=cbcs/format=m3u8-cmaf,encryption=cbcs-aapl/
        for $init, $media;
    my $hi = $t->get("$base/$init");
    my $hf = $t->get("$base/$media");
    is($hi->{status} . $hf->{status}, '200200', "cbcs-aapl $type: m3u8-cmaf");
    ok($hi->{body} eq $i->{body} && $hf->{body} eq $f->{body},
        "cbcs-aapl $type: the DASH cbcs init segment and fragment");
}

# --- Smooth -------------------------------------------------------------

$r = $t->get("$base/manifest(encryption=cenc)");
is($r->{status}, 200, 'Smooth cenc manifest: 200');
my ($ph) = $r->{body} =~ m{<Protection>\s*<ProtectionHeader SystemID="9A04F079-9840-4286-AB92-E65BE0885F95">([^<]+)</ProtectionHeader>\s*</Protection>\s*<StreamIndex};
ok($ph, 'Smooth: Protection before the StreamIndexes');
check_pro(decode_base64($ph // ''), $ck, 'Smooth', 0);
like($r->{body}, qr/Url="QualityLevels\(\{bitrate\}\)\/Fragments\(video=\{start time\},encryption=cenc\)"/,
    'Smooth: fragment URLs carry the encryption');

my ($svi) = $r->{body} =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
my ($st0) = ($svi // '') =~ /<c\b[^>]*\bt="(\d+)"/;
my ($sbr) = ($svi // '') =~ /<QualityLevel\b[^>]*Bitrate="(\d+)"/;

for my $e (qw(cenc piff)) {
    my $sf = $t->get("$base/QualityLevels($sbr)/Fragments(video=$st0,"
        . "encryption=$e)");
    is($sf->{status}, 200, "Smooth $e fragment: 200");
    my @b = map { $_->[0] eq 'uuid' ? 'uuid:' . unpack('H*',
        substr($_->[1], 0, 16)) : $_->[0] } boxes(box($sf->{body},
        'moof/traf') // '');
    my $enc = $e eq 'cenc' ? 'senc' : 'uuid:a2394f525a9b4f14a2446c427c648df4';
    ok((grep { $_ eq $enc } @b) && (grep { $_ eq 'saiz' } @b)
        && (grep { $_ eq 'saio' } @b), "Smooth $e fragment: $enc, saiz, saio")
        or diag("@b");
}

# --- refusals -----------------------------------------------------------

is($t->get("$base/manifest(format=mpd-time-csf,encryption=piff)")
    ->{status}, 400, 'piff on DASH: 400');
is($t->get("$base/manifest(format=mpd-time-csf,encryption=cbc)")
    ->{status}, 403, 'cbc on DASH, a policy without envelope: 403');
is($t->get("$base/manifest(encryption=cbc)")->{status}, 400,
    'cbc on Smooth: 400');
is($t->get("$base/manifest(encryption=cbcs)")->{status}, 400,
    'cbcs on Smooth: 400');
is($t->get("/$cid/show.ism/manifest(format=mpd-time-csf,encryption=cenc)")
    ->{status}, 403, 'cenc on a clear locator: 403');

# --- players --------------------------------------------------------------

SKIP: {
    skip('no Chromium or t/browser players', 1)
        unless -x ($ENV{SLUICE_CHROMIUM} || '/usr/bin/chromium')
               && -d "$FindBin::Bin/browser/node_modules/shaka-player";

    my $url = Sluice::Playback::url($t, $dash);
    (my $burl = $url) =~ s/encryption=cenc/encryption=cbcs/;
    my $cka = [ '--clearkey', (join '', split /-/, $ck->{kid}) . ":$ck->{hex}" ];
    my $ckb = [ '--clearkey', (join '', split /-/, $bk->{kid}) . ":$bk->{hex}" ];
    my @cases = (
        [ 'shaka', $url, args => $cka, seconds => 6, timeout => 90 ],
        [ 'dash', $url, args => $cka, seconds => 6, timeout => 90 ],
        [ 'shaka', $burl, args => $ckb, seconds => 6, timeout => 90 ],
    );

    if ($keys) {
        push @cases,
            [ 'shaka', $url, seconds => 6, timeout => 90, args => [
                '--license', "http://127.0.0.1:$port/keydelivery/ClearKey/" ] ],
            [ 'dash', $url, seconds => 6, timeout => 90, args => [
                '--license', "http://127.0.0.1:$port/keydelivery/ClearKey/" ] ];
    }

    my @res = Sluice::Players::play_many($t, \@cases, jobs => 2);
    my @names = ('Shaka plays cenc with the key',
                 'dash.js plays cenc with the key',
                 'Shaka plays cbcs with the key',
                 'Shaka plays cenc with the licence from Sluice',
                 'dash.js plays cenc with the licence from Sluice');

    for my $k (0 .. $#res) {
        ok($res[$k]{ok}, $names[$k])
            or diag(Sluice::Players::json($res[$k]));
    }

    if ($keys) {
        ok($res[3]{licences} && $res[4]{licences},
            'the players got their licences from Sluice');
    }
}

$t->stop_publisher($pub);

# no key value in the log
my $log = $t->error_log();
unlike($log, qr/\Q$ck->{hex}\E|\Q$bk->{hex}\E/i, 'no key in error.log');

$t->done_testing();
