#!/usr/bin/perl

# Issue 9 end to end: everything created through the Azure Media Services
# SDK (@azure/arm-mediaservices 13.1.0, t/sdk/encryption.js), a live
# stream pushed by ffmpeg, and the paths of listPaths played by real
# players with tokens this test signs (HS256, the content key policy's
# key, the KID claim naming the key the player needs):
#
#   - hls.js plays the Predefined_ClearKey locator's HLS paths
#     (encryption=cbc): m3u8-aapl with the token on the manifest URL
#     (Sluice carries it into the key URIs), m3u8-cmaf with the token in
#     an Authorization header of the key requests (xhrSetup);
#   - Shaka Player and dash.js play the custom locator's DASH paths
#     (encryption=cenc) with the ClearKey licence from Sluice's key
#     service, its URL read from the MPD (the policy's
#     clearKeyEncryptionConfiguration template), the token in an
#     Authorization header;
#   - Shaka plays the custom locator's HLS fMP4 cbcs path (identity key
#     fetched with the token, Chromium's ClearKey CDM); FFmpeg decodes
#     the SAMPLE-AES TS path;
#   - refusals: an expired token or a token for the other KID gets no
#     key (401/403 from the key service), the player fails, nothing plays;
#   - secrets: no key value, token or symmetric key in error.log, in the
#     key location's access log, or in any GET answer the SDK received.
#
# listPaths also gives DASH and Smooth paths with encryption=cbc for
# Predefined_ClearKey (as AMS did, for Azure Media Player): Sluice serves
# the DASH ones as MPEG-DASH Segment Encryption, which Shaka plays; no
# Smooth client plays AES-128 and Sluice answers that path 400
# (docs/encryption.md).
#
# Needs node, the npm packages of t/sdk and t/browser, chromium, ffmpeg.

use strict;
use warnings;

use Test::More;
use Digest::SHA qw(hmac_sha256);
use IPC::Run ();
use JSON::PP ();
use MIME::Base64 qw(encode_base64 encode_base64url decode_base64);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new()->has_program('ffprobe', 'openssl');
Sluice::Players::skip_unless_ready($t);

my $sdk = "$FindBin::Bin/sdk";
$t->skip_all('t/sdk/node_modules missing: run npm ci --prefix t/sdk')
    unless -d "$sdk/node_modules/\@azure/arm-mediaservices";

# as conf.examples/quickstart.conf: the API, the packager and the key
# delivery on HTTP and HTTPS, the key location's log without query
$t->write_sluice_conf(
    account => 'e2eaccount',
    preview_url => 'https://127.0.0.1:%%PORT_8443%%',
    location => "aio threads=sluice;\nsluice_live_window 60s;",
    http => <<'EOF',
log_format sluice_keys '$remote_addr - $remote_user [$time_local] '
                       '"$request_method $uri" $status $body_bytes_sent';
EOF
    server => <<'EOF');
listen 127.0.0.1:%%PORT_8443%% ssl;
server_name localhost;
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;

location /keydelivery/ {
    sluice_key_delivery;
    access_log %%TESTDIR%%/keys.log sluice_keys;
}
EOF
$t->run();

my $port = $t->port(8443);
my $secret = join '', map { chr(int(rand(256))) } 1 .. 32;
my $laurl = "https://localhost:$port/keydelivery/ClearKey/";

# --- the SDK ---------------------------------------------------------------

my $gets = $t->testdir . '/sdk-gets.jsonl';
my $out = '';
{
    my ($cert) = $t->make_cert();
    local $ENV{NODE_EXTRA_CA_CERTS} = $cert;
    IPC::Run::run(['node', "$sdk/encryption.js", "https://127.0.0.1:$port",
        $t->api_key(), 'e2eaccount', encode_base64($secret, ''), $laurl,
        $gets], '<', \undef, '>&', \$out, IPC::Run::timeout(90));
}
is($? >> 8, 0, 'SDK: live event, policies, locators, keys, paths')
    or diag($out);
like($out, qr/^done$/m, 'SDK: all its checks passed') or BAIL_OUT('no SDK');

my ($input) = $out =~ /^input (\S+)$/m;
my ($host) = $out =~ /^host (\S+)$/m;
my %key;     # locator label => { kid, value, hex }
my %path;    # locator protocol scheme => [ paths ]

for ($out =~ /^key (.*)$/mg) {
    my ($loc, $label, $type, $kid, $value) = split / /;
    $key{$label} = { kid => $kid, value => $value,
                     hex => unpack('H*', decode_base64($value)) };
}
my ($ckbase, $cubase);    # /{streamingLocatorId}/show.ism/ of each
for ($out =~ /^path (.*)$/mg) {
    my ($loc, $proto, $scheme, $p) = split / /;
    my ($b, $rel) = $p =~ m{^(/[0-9a-f-]{36}/show\.ism/)(.*)$};
    $ckbase = $b if $loc eq 'clearkeyLoc';
    $cubase = $b if $loc eq 'customLoc';
    push @{ $path{"$loc $proto $scheme"} }, $rel // $p;
}

is_deeply([ sort keys %key ], [ qw(aesDefaultKey cbcsKey cencKey) ],
    'listContentKeys: the envelope key, the CENC and CBCS keys');
is_deeply(\%path, {
    'clearkeyLoc Hls EnvelopeEncryption' => [
        'manifest(format=m3u8-aapl,encryption=cbc)',
        'manifest(format=m3u8-cmaf,encryption=cbc)' ],
    'clearkeyLoc Dash EnvelopeEncryption' => [
        'manifest(format=mpd-time-csf,encryption=cbc)',
        'manifest(format=mpd-time-cmaf,encryption=cbc)' ],
    'clearkeyLoc SmoothStreaming EnvelopeEncryption' =>
        [ 'manifest(encryption=cbc)' ],
    'customLoc Dash CommonEncryptionCenc' => [
        'manifest(format=mpd-time-csf,encryption=cenc)',
        'manifest(format=mpd-time-cmaf,encryption=cenc)' ],
    'customLoc Hls CommonEncryptionCbcs' => [
        'manifest(format=m3u8-aapl,encryption=cbcs-aapl)',
        'manifest(format=m3u8-cmaf,encryption=cbcs-aapl)' ],
}, 'listPaths: the paths of both locators')
    or diag(JSON::PP->new->canonical->pretty->encode(\%path));
is($host, "127.0.0.1:$port", 'the streaming endpoint hostName');

# --- tokens -----------------------------------------------------------------

sub jwt {
    my (%o) = @_;

    my $key = delete $o{key} // $secret;
    my $kid = delete $o{kid};
    my %c = (iss => 'https://issuer.sluice.test', aud => 'urn:sluice:players',
        exp => time() + 600, 'urn:sluice:entitlement' => 'premium',
        (defined $kid
            ? ('urn:microsoft:azure:mediaservices:contentkeyidentifier'
               => $kid) : ()),
        %o);
    delete $c{$_} for grep { !defined $c{$_} } keys %c;

    my $data = encode_base64url(JSON::PP::encode_json({ alg => 'HS256',
        typ => 'JWT' })) . '.' . encode_base64url(JSON::PP->new->canonical
        ->encode(\%c));
    return "$data." . encode_base64url(hmac_sha256($data, $key));
}

my ($aes, $cenc, $cbcs) = map { $key{$_}{kid} // 'none' }
    qw(aesDefaultKey cencKey cbcsKey);
my %jwt = (aes => jwt(kid => $aes), cenc => jwt(kid => $cenc),
    cbcs => jwt(kid => $cbcs),
    expired => jwt(kid => $aes, exp => time() - 3600),
    expired_cenc => jwt(kid => $cenc, exp => time() - 3600),
    noclaim => jwt(kid => $aes, 'urn:sluice:entitlement' => undef),
    forged => jwt(kid => $aes, key => 'not the key of the policy'));

# --- the key service answers each token as the policy says ------------------

sub key_get {
    my ($kid, $token) = @_;
    my $r = $t->get("/keydelivery/?kid=$kid", https => 1, headers =>
        { defined $token ? (Authorization => "Bearer $token") : () });
    my ($code) = $r->{body} =~ /"code"\s*:\s*"(\w+)"/;
    return $r->{status} . ($r->{status} == 200
        ? ' ' . unpack('H*', $r->{body}) : ' ' . ($code // ''));
}

is(key_get($aes, $jwt{aes}), "200 $key{aesDefaultKey}{hex}",
    'AES-128 key with the token: the listContentKeys value');
is(key_get($aes), '401 TokenMissing', 'no token: 401');
is(key_get($aes, $jwt{expired}), '401 TokenExpired', 'expired: 401');
is(key_get($aes, $jwt{forged}), '401 TokenSignatureInvalid',
    'signed with another key: 401');
is(key_get($aes, $jwt{cenc}), '403 TokenKeyIdentifierMismatch',
    'a token for another KID: 403');
is(key_get($aes, $jwt{noclaim}), '403 TokenClaimMissing',
    'without the required claim: 403');

sub b64kid { encode_base64url(pack('H*', $_[0] =~ s/-//gr)) }

my $r = $t->http(POST => '/keydelivery/ClearKey/', https => 1,
    headers => { Authorization => "Bearer $jwt{cenc}" },
    body => JSON::PP::encode_json({ kids => [ b64kid($cenc), b64kid($cbcs) ],
        type => 'temporary' }));
my $lic = eval { JSON::PP::decode_json($r->{body}) } // {};
is_deeply([ map { [ $_->{kid}, unpack('H*', MIME::Base64::decode_base64url(
    $_->{k})) ] } @{ $lic->{keys} // [] } ],
    [ [ b64kid($cenc), $key{cencKey}{hex} ] ],
    'ClearKey licence: only the key the token names');

# --- live -------------------------------------------------------------------

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1, url => "$input/stream");

my $hls = "${ckbase}manifest(format=m3u8-aapl,encryption=cbc)";
ok(Sluice::Playback::wait_media($t, $hls, 40), 'live: media')
    or diag($t->publisher_log($pub));
ok($t->wait_for(sub {
    my $m = $t->get($hls)->{body};
    my ($pl) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    my @s = Sluice::Playback::segments($t->get($ckbase . ($pl // 'x'))
        ->{body});
    return @s >= 4;
}, timeout => 60, interval => 0.5, what => 'four segments'),
    'live: four segments');

# what the manifests name

$r = $t->get("$hls?token=$jwt{aes}", https => 1);
like($r->{body}, qr{^\#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://
    127\.0\.0\.1:$port/keydelivery/\?kid=$aes&token=\Q$jwt{aes}\E"}mx,
    'HLS: the key URI carries the token of the manifest URL');
my $mpd = $t->get("${cubase}manifest(format=mpd-time-csf,encryption=cenc)",
    https => 1)->{body};
like($mpd, qr{<dashif:Laurl>\Q$laurl\E</dashif:Laurl>},
    'MPD: the ClearKey licence URL of the policy template');
like($mpd, qr/cenc:default_KID="$cenc"/, 'MPD: the CENC key');

# --- players ---------------------------------------------------------------

my $url = sub { "https://$host$_[0]" };
my $auth = sub { ('--license-header', "Authorization:Bearer $_[0]") };
my $keys = "https://$host/keydelivery/";
my %o = (seconds => 4, timeout => 60);
my %fail = (seconds => 4, timeout => 60);   # a player under load
                                            # retries before its fatal error

my @cases = (
    [ 'hls.js: AES-128 TS, the token on the manifest URL',
      'hls', $url->("$hls?token=$jwt{aes}"), %o ],
    [ 'hls.js: AES-128 fMP4, the token in an Authorization header',
      'hls', $url->("${ckbase}manifest(format=m3u8-cmaf,encryption=cbc)"),
      %o, args => [ '--license', $keys, $auth->($jwt{aes}) ] ],
    [ 'Shaka: DASH cenc, the licence from Sluice',
      'shaka', $url->("${cubase}manifest(format=mpd-time-csf,encryption=cenc)"),
      %o, args => [ $auth->($jwt{cenc}) ] ],
    [ 'dash.js: DASH cenc (CMAF), the licence from Sluice',
      'dash', $url->("${cubase}manifest(format=mpd-time-cmaf,encryption=cenc)"),
      %o, args => [ $auth->($jwt{cenc}) ] ],
    [ 'Shaka: HLS fMP4 cbcs, the key from Sluice',
      'shaka', $url->("${cubase}manifest(format=m3u8-cmaf,encryption="
      . "cbcs-aapl)?token=$jwt{cbcs}"), %o ],
    [ 'Shaka: DASH AES-128 (Segment Encryption), the token on the MPD URL',
      'shaka', $url->("${ckbase}manifest(format=mpd-time-csf,encryption=cbc)"
      . "?token=$jwt{aes}"), %o ],
    [ 'hls.js, an expired token',
      'hls', $url->("$hls?token=$jwt{expired}"), %fail ],
    [ 'hls.js, a token for the CENC key',
      'hls', $url->("$hls?token=$jwt{cenc}"), %fail ],
    [ 'Shaka, DASH cenc with a token for the CBCS key',
      'shaka', $url->("${cubase}manifest(format=mpd-time-csf,encryption=cenc)"),
      %fail, args => [ $auth->($jwt{cbcs}) ] ],
    [ 'dash.js, DASH cenc with an expired token',
      'dash', $url->("${cubase}manifest(format=mpd-time-csf,encryption=cenc)"),
      %fail, args => [ $auth->($jwt{expired_cenc}) ] ],
);

my @res = Sluice::Players::play_many($t, [ map { [ @$_[1 .. $#$_] ] }
    @cases ]);

for my $i (0 .. 5) {
    ok($res[$i]{ok} && ($res[$i]{width} // 0) > 0, "$cases[$i][0]: plays")
        or diag(Sluice::Players::json($res[$i]));
}
for my $i (2, 3) {
    ok($res[$i]{licences} && !grep({ !/^200 \Q$laurl\E$/ }
        @{ $res[$i]{licenceUrls} // [] }),
        "$cases[$i][0]: licences from the template's URL")
        or diag(Sluice::Players::json($res[$i]));
}

# "nothing plays": no video frame decoded and the clock moved less than a
# frame's worth of gap jumping (dash.js steps over the few milliseconds
# between its start time and the first buffered sample, encrypted or not)
my %refusal = (6 => 401, 7 => 403, 8 => 403, 9 => 401);
for my $i (sort keys %refusal) {
    my $st = $refusal{$i};
    my $res = $res[$i];
    ok(!$res->{ok} && ($res->{error} // '') =~ /fatal/
        && ($res->{advanced} // 0) < 0.1 && !$res->{videoFrames}
        && grep({ m{^$st https://(?:\Q$host\E|localhost:$port)/keydelivery/} }
            @{ $res->{httpErrors} // [] }, @{ $res->{licenceUrls} // [] }),
        "$cases[$i][0]: $st from the key service, an error, nothing plays")
        or diag(Sluice::Players::json($res));
}

# --- the paths no player here covers -----------------------------------------

# SAMPLE-AES TS: FFmpeg's HLS reader, the key with the token (10 s of the
# live stream)
my ($j, $err) = Sluice::Playback::ffprobe($t, "${cubase}manifest(format="
    . "m3u8-aapl,encryption=cbcs-aapl)?token=$jwt{cbcs}",
    '-count_frames', '-select_streams', 'v:0', '-read_intervals', '%+10');
my ($v) = @{ $j->{streams} // [] };
ok(($v->{codec_name} // '') eq 'h264' && ($v->{nb_read_frames} // 0) > 60,
    'FFmpeg: SAMPLE-AES TS with the token decodes ('
    . ($v->{nb_read_frames} // 0) . ' frames)') or diag($err);

# AMS's envelope path for Smooth: listed, not served (400)
is($t->get("${ckbase}manifest(encryption=cbc)", https => 1)->{status}, 400,
    "listPaths' Smooth AES-128 path: 400, no player for it");

$t->stop_publisher($pub);

# --- secrets ------------------------------------------------------------------

my @secrets = ([ 'the symmetric key', encode_base64($secret, '') ],
    [ 'the symmetric key (hex)', unpack('H*', $secret) ],
    map({ ([ "key $_", $key{$_}{value} ], [ "key $_ (hex)", $key{$_}{hex} ]) }
        sort keys %key),
    map({ [ "token $_", (split /\./, $jwt{$_})[2] ] } sort keys %jwt));

my %where = ('error.log' => $t->error_log(),
    "the key location's access log" => $t->read_file('keys.log') // '',
    'the GET answers of the SDK' => $t->read_file($gets) // '');

ok(length $where{'the GET answers of the SDK'} > 1000
    && length $where{"the key location's access log"} > 100,
    'the GET answers and the key log to search');
for my $w (sort keys %where) {
    my @found = grep { index(lc $where{$w}, lc $_->[1]) >= 0 } @secrets;
    ok(!@found, "no secret in $w") or diag(join ', ', map { $_->[0] } @found);
}

$t->done_testing();
