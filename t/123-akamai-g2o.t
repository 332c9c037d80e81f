#!/usr/bin/perl

# A streaming endpoint's accessControl.akamai (AMS's Akamai signature
# header authentication): with keys, the packager serves a locator only
# to requests carrying X-Akamai-G2O-Auth-Data and X-Akamai-G2O-Auth-Sign
# signed by one of them (HMAC-MD5, -SHA1 or -SHA256 of the data and the
# path as sent, version 3, 4 or 5), with a time within 30 s, by an
# unexpired key; 403 otherwise.  The API refuses keys that are not
# base64 and stores expirations in UTC.

use strict;
use warnings;

use Test::More;
use Digest::MD5 ();
use Digest::SHA ();
use MIME::Base64 qw(encode_base64);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
my $ev = $t->create_live_event('g2o', token => $token);
ok($ev, 'live event running') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'g2o', 'o1', 'a1', 'loc1',
    manifestName => 'show');
my $smooth = $paths->{SmoothStreaming}[0] // '/none/show.ism/manifest';

my $pub = $t->publish(input => Sluice::Ingest::fixture('av', duration => 8,
    gop => 2), loop => 1,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default started');
ok(Sluice::Playback::wait_media($t, $smooth, 40), 'no akamai keys: 200');

# --- the API -------------------------------------------------------------

my $key1 = 'the first shared secret';
my $key2 = "\x00\x01binary key\xff";

sub akamai {
    my (@keys) = @_;

    return { properties => { accessControl => { akamai => {
        akamaiSignatureHeaderAuthenticationKeyList => [ @keys ] } } } };
}

my $r = $t->api(PATCH => 'streamingEndpoints/default',
    akamai({ identifier => 'k1', base64Key => 'not base64!',
             expiration => '2099-01-01T00:00:00Z' }));
is($r->{status}, 400, 'API: a base64Key that is not base64: 400');
is($r->{json}{error}{code}, 'BadRequest', 'API: BadRequest');

$r = $t->api(PATCH => 'streamingEndpoints/default',
    akamai({ identifier => 'k1', base64Key => 'a2V5',
             expiration => 'tomorrow' }));
is($r->{status}, 400, 'API: an expiration that is not a date-time: 400');

$r = $t->api(PATCH => 'streamingEndpoints/default', akamai(
    { identifier => 'k1', base64Key => encode_base64($key1, ''),
      expiration => '2099-01-01T02:00:00+02:00' },
    { identifier => 'k2', base64Key => encode_base64($key2, '') },
    { identifier => 'old', base64Key => encode_base64($key1, ''),
      expiration => '2020-01-01T00:00:00Z' }));
is($r->{status}, 200, 'API: three keys');
my $list = $r->{json}{properties}{accessControl}{akamai}
    {akamaiSignatureHeaderAuthenticationKeyList} // [];
is($list->[0]{expiration}, '2099-01-01T00:00:00.000Z',
    'API: the expiration stored in UTC');

# --- the packager --------------------------------------------------------

is($t->get($smooth)->{status}, 403, 'no signature headers: 403');
is($t->get('/crossdomain.xml')->{status}, 403,
    'crossdomain.xml without signature headers: 403');

my $now = time;

my @cases = (
    [ 'version 5 (HMAC-SHA256), k1', 5, $key1, 'k1', $now, $smooth, 200 ],
    [ 'version 4 (HMAC-SHA1), k1', 4, $key1, 'k1', $now, $smooth, 200 ],
    [ 'version 3 (HMAC-MD5), k1', 3, $key1, 'k1', $now, $smooth, 200 ],
    [ 'version 5, k2 (binary key)', 5, $key2, 'k2', $now, $smooth, 200 ],
    [ 'time 20 s ago', 5, $key1, 'k1', $now - 20, $smooth, 200 ],
    [ 'wrong key', 5, 'not the key', 'k1', $now, $smooth, 403 ],
    [ "k2's key under k1's nonce", 5, $key2, 'k1', $now, $smooth, 403 ],
    [ 'unknown nonce', 5, $key1, 'k9', $now, $smooth, 403 ],
    [ 'expired key', 5, $key1, 'old', $now, $smooth, 403 ],
    [ 'time 2 min ago', 5, $key1, 'k1', $now - 120, $smooth, 403 ],
    [ 'time 2 min ahead', 5, $key1, 'k1', $now + 120, $smooth, 403 ],
    [ 'version 2', 2, $key1, 'k1', $now, $smooth, 403 ],
    [ 'signed for another path', 5, $key1, 'k1', $now, '/other', 403 ],
    [ 'signed without the query', 5, $key1, 'k1', $now, $smooth, 403,
      '?x=1' ],
    [ 'with the query, signed with it', 5, $key1, 'k1', $now,
      "$smooth?x=1", 200, '?x=1' ],
);

for my $c (@cases) {
    my ($what, $ver, $key, $nonce, $time, $signed, $want, $query) = @$c;

    my $data = "$ver, 203.0.113.7, 198.51.100.2, $time, 1234.5678, $nonce";
    my $sign = sign($ver, $key, $data . $signed);

    $r = $t->get($smooth . ($query // ''), headers => {
        'X-Akamai-G2O-Auth-Data' => $data,
        'X-Akamai-G2O-Auth-Sign' => $sign });
    is($r->{status}, $want, "$what: $want");
}

my $data = "5, 203.0.113.7, 198.51.100.2, $now, 1234.5678";
$r = $t->get($smooth, headers => {
    'X-Akamai-G2O-Auth-Data' => $data,
    'X-Akamai-G2O-Auth-Sign' => sign(5, $key1, $data . $smooth) });
is($r->{status}, 403, 'five fields (no nonce): 403');

$r = $t->get($smooth, headers => {
    'X-Akamai-G2O-Auth-Data' => "5, 1, 2, $now, 3, k1" });
is($r->{status}, 403, 'no signature header: 403');

ok($t->wait_log(qr/refused by accessControl\.akamai: wrong X-Akamai/),
    'the refusal is logged with its reason');
is($t->get(preview_path())->{status}, 200,
    'the preview is not governed by the endpoint');

$r = $t->api(PATCH => 'streamingEndpoints/default', akamai());
is($r->{status}, 200, 'API: no keys');
is($t->get($smooth)->{status}, 200, 'no keys: 200 without headers');

$t->stop_publisher($pub);

$t->done_testing();

###############################################################################

sub preview_path {
    return '/' . ($ev->{properties}{preview}{previewLocator} // 'none')
        . '/preview.ism/manifest';
}

sub sign {
    my ($ver, $key, $msg) = @_;

    return encode_base64(Digest::SHA::hmac_sha256($msg, $key), '')
        if $ver == 5;
    return encode_base64(Digest::SHA::hmac_sha1($msg, $key), '')
        if $ver == 4;

    # HMAC-MD5 (RFC 2104)
    $key = Digest::MD5::md5($key) if length $key > 64;
    $key .= "\0" x (64 - length $key);
    my $inner = Digest::MD5::md5(($key ^ ("\x36" x 64)) . $msg);
    return encode_base64(Digest::MD5::md5(($key ^ ("\x5c" x 64)) . $inner),
        '');
}
