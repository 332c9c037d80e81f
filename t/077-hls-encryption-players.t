#!/usr/bin/perl

# Encrypted HLS played by real clients through Sluice's key delivery
# (issue 9): a recording, streaming locators whose content keys a
# token-restricted content key policy (JWT HS256) guards, and a token
# given once, on the master playlist URL: Sluice carries it into the
# child playlists and the EXT-X-KEY URIs, so players that cannot add
# headers get the keys.
#
#   FFmpeg's HLS reader: AES-128 TS with the token decodes; without it
#   the key is refused and nothing decodes.
#   hls.js in headless Chromium (t/browser/play.js): AES-128 TS (WebCrypto),
#   AES-128 fMP4, SAMPLE-AES TS (its software decrypter) play with the
#   token; AES-128 TS without it does not.
#   DASH AES-128 (encryption=cbc, ISO/IEC 23009-4 Segment Encryption) of
#   the same Predefined_ClearKey locator: the init segment and a media
#   segment decrypt with openssl (the key from the key service, the IV of
#   the MPD's CryptoPeriod) to the clear locator's bytes, and Shaka Player
#   plays it with the token.

use strict;
use warnings;

use Test::More;
use Digest::SHA qw(hmac_sha256);
use JSON::PP ();
use MIME::Base64 qw(encode_base64 encode_base64url);
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

Sluice::Playback::config($t, server => <<'EOF');
location /keydelivery/ {
    sluice_key_delivery;
}
EOF
$t->run();

my $token = '0123456789abcdef0123456789abcdef';
my $P = '#Microsoft.Media.ContentKeyPolicy';
my $secret = 'the symmetric key of the tokens, 32';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');
ok($t->create_live_event('ev1', token => $token), 'ev1 running')
    or BAIL_OUT('no live event');
my $cpaths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'clear',
    manifestName => 'show');
my ($cbase) = (($cpaths->{Dash} // [])->[0] // '') =~ m{^(/[^/]+/show\.ism)/};

my $r = $t->api(PUT => 'contentKeyPolicies/jwt', { properties => {
    options => [ { name => 'jwt',
        configuration => { '@odata.type' => "${P}ClearKeyConfiguration" },
        restriction => { '@odata.type' => "${P}TokenRestriction",
            issuer => 'https://issuer.sluice.test', audience => 'urn:sluice',
            restrictionTokenType => 'Jwt',
            primaryVerificationKey => {
                '@odata.type' => "${P}SymmetricTokenKey",
                keyValue => encode_base64($secret, '') } } } ] } });
is($r->{status}, 201, 'a token-restricted content key policy')
    or diag($r->{body});

$r = $t->api(PUT => 'streamingPolicies/cbcs', { properties => {
    defaultContentKeyPolicyName => 'jwt',
    commonEncryptionCbcs => {
        enabledProtocols => { download => JSON::PP::false,
            dash => JSON::PP::false, hls => JSON::PP::true,
            smoothStreaming => JSON::PP::false },
        contentKeys => { defaultKey => { label => 'cbcsDefaultKey' } } } } });
is($r->{status}, 201, 'a CBCS policy for HLS') or diag($r->{body});

my %base;

for ([ aes => 'Predefined_ClearKey' ], [ saes => 'cbcs' ]) {
    my ($name, $policy) = @$_;
    $r = $t->api(PUT => "streamingLocators/$name", { properties => {
        assetName => 'a1', streamingPolicyName => $policy,
        defaultContentKeyPolicyName => 'jwt' } });
    is($r->{status}, 201, "locator $name") or diag($r->{body});
    $base{$name} = '/' . ($r->{json}{properties}{streamingLocatorId} // 'x')
        . '/show.ism';
}

# a JWT of the policy (an hour)

sub b64u { encode_base64url($_[0]) }

my $data = b64u(JSON::PP::encode_json({ alg => 'HS256', typ => 'JWT' }))
    . '.' . b64u(JSON::PP->new->canonical->encode({
        iss => 'https://issuer.sluice.test', aud => 'urn:sluice',
        exp => time() + 3600 }));
my $jwt = "$data." . b64u(hmac_sha256($data, $secret));

# media

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

my $ts = "$base{aes}/manifest(format=m3u8-aapl,encryption=cbc).m3u8";
ok(Sluice::Playback::wait_media($t, $ts, 40), 'recording: media');
ok($t->wait_for(sub {
    my $m = $t->get($ts)->{body};
    my ($pl) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    my @s = Sluice::Playback::segments($t->get("$base{aes}/"
        . ($pl // 'x'))->{body});
    return @s >= 4;
}, timeout => 60, interval => 0.5, what => 'four segments'),
    'four segments');

my $url = Sluice::Playback::url($t, "$ts?token=$jwt");

# the key URL of the playlists answers with the token only

my ($key_url) = $t->get("$ts?token=$jwt")->{body}
    =~ /^#EXT-X-SESSION-KEY:METHOD=AES-128,URI="([^"]+)"/m;
like($key_url // '', qr{/keydelivery/\?kid=[0-9a-f-]{36}&token=\Q$jwt\E$},
    'the session key URL carries the token');
$r = $t->get($key_url // '/x');
ok($r->{status} == 200 && length($r->{body}) == 16,
    'the key service gives the key to that URL');
(my $bare = $key_url // '/x') =~ s/&token=.*//;
is($t->get($bare)->{status}, 401, 'and refuses it without the token');

# FFmpeg's HLS reader, over HTTP

sub ffmpeg_frames {
    my ($u) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffmpeg', '-v', 'error', '-i', $u, '-map', '0:v:0', '-t', '4', '-f', 'framemd5', '-' ],
        '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(90));
    return (scalar(grep { !/^#/ } split /\n/, $out), $err);
}

my ($n, $err) = ffmpeg_frames($url);
ok($n >= 100, "FFmpeg: AES-128 TS with the token decodes ($n frames)")
    or diag($err);
($n, $err) = ffmpeg_frames(Sluice::Playback::url($t, $ts));
ok($n < 10, "FFmpeg: without the token, no key, nothing decodes ($n)");

# DASH AES-128: init and media segments whole in AES-128-CBC, the IV
# of the MPD's one crypto period

my $mpd = "$base{aes}/manifest(format=mpd-time-csf,encryption=cbc).mpd";
my $m = $t->get("$mpd?token=$jwt");
is($m->{status}, 200, 'DASH cbc: MPD');
my ($iv) = $m->{body} =~ /<sea:CryptoPeriod IV="0x([0-9a-f]{32})"/;
my ($kuri) = $m->{body} =~ /<sea:CryptoPeriod [^>]*keyUriTemplate="([^"]+)"/;
like($m->{body}, qr{<ContentProtection\sschemeIdUri="urn:mpeg:dash:sea:2012">
    \s*<sea:SegmentEncryption\s+
    schemeIdUri="urn:mpeg:dash:sea:aes128-cbc:2013"/>}x,
    'DASH cbc: Segment Encryption signalled');
($kuri //= '/x') =~ s/&amp;/&/g;
like($kuri, qr{/keydelivery/\?kid=[0-9a-f-]{36}&token=}, 'DASH cbc: key URI');
my $key = $t->get($kuri)->{body} // '';
is(length($key), 16, 'DASH cbc: the key from the key service');

sub decrypt {
    my ($in) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'openssl', 'enc', '-d', '-aes-128-cbc', '-K',
        unpack('H*', $key), '-iv', $iv // '00' ], '<', \$in, '>', \$out,
        '2>', \$err);
    return $out;
}

my ($vset) = $m->{body} =~
    m{(<AdaptationSet[^>]*contentType="video".*?</AdaptationSet>)}s;
my ($vinit) = ($vset // '') =~ /<SegmentTemplate [^>]*initialization="([^"]+)"/;
my ($vmedia) = ($vset // '') =~ /<SegmentTemplate [^>]*media="([^"]+)"/;
($vinit, $vmedia) = map { (my $x = $_ // '') =~ s/&amp;/&/g; $x }
    ($vinit, $vmedia);
my ($rep) = ($vset // '') =~ /<Representation [^>]*bandwidth="(\d+)"/;
my ($t0) = ($vset // '') =~ /<S t="(\d+)"/;

if ($vinit && $rep && defined $t0) {
    (my $i = $vinit) =~ s/\$Bandwidth\$/$rep/g;
    (my $s = $vmedia) =~ s/\$Bandwidth\$/$rep/g;
    $s =~ s/\$Time\$/$t0/g;
    (my $ci = $i) =~ s/,encryption=cbc//;
    (my $cs = $s) =~ s/,encryption=cbc//;

    my $ei = $t->get("$base{aes}/$i")->{body};
    my $es = $t->get("$base{aes}/$s")->{body};

    ok(length($ei) % 16 == 0 && $ei !~ /^....ftyp/s,
        'DASH cbc: the init segment is encrypted');
    is(decrypt($ei), $t->get(($cbase // '') . "/$ci")->{body},
        'DASH cbc: the init segment decrypts to the clear one');
    is(decrypt($es), $t->get(($cbase // '') . "/$cs")->{body},
        'DASH cbc: the media segment decrypts to the clear one');
} else {
    fail('DASH cbc: segment template') for 1 .. 3;
    diag($m->{body});
}

# hls.js and Shaka in Chromium

my @cases = (
    [ 'hls', $url, seconds => 4, timeout => 60 ],
    [ 'hls', Sluice::Playback::url($t, "$base{aes}/manifest(format=m3u8-cmaf,"
        . "encryption=cbc).m3u8?token=$jwt"), seconds => 4, timeout => 60 ],
    [ 'hls', Sluice::Playback::url($t, "$base{saes}/manifest(format="
        . "m3u8-aapl,encryption=cbcs-aapl).m3u8?token=$jwt"),
      seconds => 4, timeout => 60 ],
    [ 'hls', Sluice::Playback::url($t, $ts), seconds => 4, timeout => 30 ],
    [ 'shaka', Sluice::Playback::url($t, "$mpd?token=$jwt"), seconds => 4,
      timeout => 60 ],
);

my @res = Sluice::Players::play_many($t, \@cases);

ok($res[0]{ok}, 'hls.js: AES-128 TS with the token plays')
    or diag(Sluice::Players::json($res[0]));
ok($res[1]{ok}, 'hls.js: AES-128 fMP4 with the token plays')
    or diag(Sluice::Players::json($res[1]));
ok($res[2]{ok}, 'hls.js: SAMPLE-AES TS with the token plays')
    or diag(Sluice::Players::json($res[2]));
ok(!$res[3]{ok}, 'hls.js: without the token, no key, no playback')
    or diag(Sluice::Players::json($res[3]));
ok($res[4]{ok}, 'Shaka: DASH AES-128 with the token plays')
    or diag(Sluice::Players::json($res[4]));

$t->stop_publisher($pub);

$t->done_testing();
