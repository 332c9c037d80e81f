#!/usr/bin/perl

# Key delivery (sluice_key_delivery): content key policies made through
# the API (JWT HS256 with a content key identifier claim and a required
# claim, RSA, X509, Open, SWT, DRM only, several options), streaming
# locators with keys (Predefined_ClearKey for AES-128, a custom cenc
# policy for ClearKey licences); then the AES-128 key equals the
# listContentKeys value, ClearKey licences hold the keys the token gets,
# every refusal (401/403/404/400) with its code, the token forms, CORS,
# Chromium's ClearKey CDM asking for keys from another origin
# (t/browser/clearkey.js; skipped without chromium), FFmpeg's HLS reader
# decrypting an AES-128 segment with the key it fetched, the DRM licence
# routes, and neither a key nor a token in error.log.
# Last, conf.examples/quickstart.conf serves the same keys after a
# restart.  Tokens are made here: HS256 with Digest::SHA, RS256 with
# openssl dgst -sign, keys and the certificate with openssl.

use strict;
use warnings;

use Test::More;
use Digest::SHA qw(hmac_sha256);
use JSON::PP;
use POSIX qw(strftime);
use MIME::Base64 qw(encode_base64 decode_base64 encode_base64url
    decode_base64url);

use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new()->has_program('openssl');

$t->write_sluice_conf(ingest => 0, threads => 0, server => <<'EOF');
location /keydelivery/ {
    sluice_key_delivery;
}

location /strict/ {
    sluice_key_delivery;
    sluice_key_clock_skew 0;
}
EOF
$t->run();

my $P = '#Microsoft.Media.ContentKeyPolicy';
my $KIDC = 'urn:microsoft:azure:mediaservices:contentkeyidentifier';
my $ISS = 'https://issuer.sluice.test';
my $AUD = 'urn:sluice:test';
my $key1 = 'the first symmetric key, 32 byte';
my $key2 = 'the alternate symmetric key';
my $dir = $t->testdir;

my (@tokens, @errors);      # every token made, every error body received

sub openssl {
    my @args = @_;
    my $out = `openssl @args 2>&1`;
    die "openssl @args: $out" if $?;
    return $out;
}

openssl("genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
    . " -out $dir/rsa1.pem");
openssl("genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
    . " -out $dir/rsa2.pem");
openssl("req -x509 -new -key $dir/rsa2.pem -subj /CN=sluice-test -days 2"
    . " -outform DER -out $dir/cert2.der");

my ($mod) = openssl("rsa -in $dir/rsa1.pem -noout -modulus")
    =~ /Modulus=([0-9A-F]+)/;
my $cert = do { local $/; open my $fh, '<', "$dir/cert2.der" or die; <$fh> };

# --- tokens -----------------------------------------------------------------

sub b64u { encode_base64url($_[0]) }

sub rs256_sign {
    my ($data, $pem) = @_;
    open my $fh, '>', "$dir/sign.in" or die;
    print $fh $data;
    close $fh;
    openssl("dgst -sha256 -sign $dir/$pem -out $dir/sign.out $dir/sign.in");
    return do { local $/; open my $in, '<', "$dir/sign.out" or die; <$in> };
}

# a JWT of these claims: iss, aud, exp (in an hour) unless given (undef:
# left out); alg HS256 with key1 unless told
sub jwt {
    my (%o) = @_;
    my $alg = delete $o{alg} // 'HS256';
    my $key = delete $o{key} // $key1;
    my $pem = delete $o{pem};
    my %c = (iss => $ISS, aud => $AUD, exp => time() + 3600, %o);
    delete $c{$_} for grep { !defined $c{$_} } keys %c;

    my $data = b64u(encode_json({ alg => $alg, typ => 'JWT' })) . '.'
        . b64u(JSON::PP->new->canonical->encode(\%c));
    my $sig = $alg eq 'RS256' ? rs256_sign($data, $pem)
        : $alg eq 'none' ? '' : hmac_sha256($data, $key);
    my $token = "$data." . b64u($sig);
    push @tokens, $token;
    return $token;
}

sub uri_escape {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

# an SWT: the pairs URL-encoded, then HMACSHA256
sub swt {
    my (%o) = @_;
    my $key = delete $o{key} // $key1;
    my @pairs = ([ Issuer => $ISS ], [ Audience => $AUD ],
        [ ExpiresOn => time() + 3600 ]);
    for my $k (sort keys %o) {
        @pairs = grep { $_->[0] ne $k } @pairs;
        push @pairs, [ $k => $o{$k} ] if defined $o{$k};
    }
    my $claims = join '&',
        map { uri_escape($_->[0]) . '=' . uri_escape($_->[1]) } @pairs;
    my $token = "$claims&HMACSHA256="
        . uri_escape(encode_base64(hmac_sha256($claims, $key), ''));
    push @tokens, $token;
    return $token;
}

# --- policies and locators --------------------------------------------------

sub sym { { '@odata.type' => "${P}SymmetricTokenKey",
            keyValue => encode_base64($_[0], '') } }

sub token_restriction {
    my (%o) = @_;
    return { '@odata.type' => "${P}TokenRestriction", issuer => $ISS,
        audience => $AUD, restrictionTokenType => 'Jwt',
        primaryVerificationKey => sym($key1), %o };
}

sub clearkey { { '@odata.type' => "${P}ClearKeyConfiguration" } }

sub policy {
    my ($name, @options) = @_;
    my $i = 0;
    my $r = $t->api(PUT => "contentKeyPolicies/$name", { properties => {
        options => [ map { { name => 'o' . $i++, %$_ } } @options ] } });
    is($r->{status}, 201, "content key policy $name") or diag($r->{body});
}

policy('pol-jwt', { configuration => clearkey(),
    restriction => token_restriction(
        alternateVerificationKeys => [ sym($key2) ],
        requiredClaims => [ { claimType => $KIDC },
                            { claimType => 'DRM', claimValue => 'ClearKey' } ],
    ) });

policy('pol-rsa', { configuration => clearkey(),
    restriction => token_restriction(primaryVerificationKey => {
        '@odata.type' => "${P}RsaTokenKey", exponent => 'AQAB',
        modulus => encode_base64(pack('H*', $mod), '') }) });

policy('pol-x509', { configuration => clearkey(),
    restriction => token_restriction(primaryVerificationKey => {
        '@odata.type' => "${P}X509CertificateTokenKey",
        rawBody => encode_base64($cert, '') }) });

policy('pol-open', { configuration => clearkey(),
    restriction => { '@odata.type' => "${P}OpenRestriction" } });

policy('pol-swt', { configuration => clearkey(),
    restriction => token_restriction(restrictionTokenType => 'Swt',
        requiredClaims => [ { claimType => $KIDC } ]) });

policy('pol-drm', { configuration => { '@odata.type' =>
        "${P}WidevineConfiguration", widevineTemplate => '{}' },
    restriction => { '@odata.type' => "${P}OpenRestriction" } });

# two token options: issuer A with nothing more, issuer B with a claim
policy('pol-multi',
    { configuration => { '@odata.type' => "${P}WidevineConfiguration",
        widevineTemplate => '{}' },
      restriction => { '@odata.type' => "${P}OpenRestriction" } },
    { configuration => clearkey(),
      restriction => token_restriction(issuer => 'https://a.test') },
    { configuration => clearkey(),
      restriction => token_restriction(issuer => 'https://b.test',
          requiredClaims => [ { claimType => 'role',
                                claimValue => 'vip' } ]) });

my $r = $t->api(PUT => 'streamingPolicies/cenc-clearkey', { properties => {
    commonEncryptionCenc => {
        enabledProtocols => { download => JSON::PP::false,
            dash => JSON::PP::true, hls => JSON::PP::false,
            smoothStreaming => JSON::PP::false },
        contentKeys => { defaultKey => { label => 'cencDefaultKey' } },
        clearKeyEncryptionConfiguration => {},
    } } });
is($r->{status}, 201, 'streaming policy cenc-clearkey') or diag($r->{body});

is($t->api(PUT => 'assets/a1', { properties => {} })->{status}, 201,
    'asset');

# name -> { kid (UUID text), key (16 bytes) }
my %k;

sub locator {
    my ($name, $policy, $ckp, %props) = @_;
    my $r = $t->api(PUT => "streamingLocators/$name", { properties => {
        assetName => 'a1', streamingPolicyName => $policy,
        defaultContentKeyPolicyName => $ckp, %props } });
    is($r->{status}, 201, "locator $name ($policy, $ckp)")
        or diag($r->{body});
    $r = $t->api(POST => "streamingLocators/$name/listContentKeys");
    my $ck = $r->{json}{contentKeys}[0] // {};
    is($ck->{policyName}, $ckp, "$name: listContentKeys, policyName")
        or diag($r->{body});
    $k{$name} = { kid => $ck->{id} // '00000000-0000-0000-0000-000000000000',
                  key => decode_base64($ck->{value} // '') };
}

locator("aes-$_", 'Predefined_ClearKey', "pol-$_")
    for qw(jwt rsa x509 open swt drm multi);
locator('cenc-jwt', 'cenc-clearkey', 'pol-jwt');
locator('cenc-open', 'cenc-clearkey', 'pol-open');
locator('aes-later', 'Predefined_ClearKey', 'pol-open',
    startTime => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time() + 86400)));

is(length $k{'aes-jwt'}{key}, 16, 'a 16-byte key');

# --- requests ---------------------------------------------------------------

sub key_get {
    my ($name, %o) = @_;
    my $kid = $o{kid} // $k{$name}{kid};
    my $path = ($o{prefix} // '/keydelivery/') . "?kid=$kid"
        . (defined $o{query} ? "&$o{query}" : '');
    my %h = %{$o{headers} // {}};
    $h{Authorization} = "Bearer $o{token}" if defined $o{token};
    my $r = $t->get($path, headers => \%h);
    push @errors, $r->{body} if $r->{status} != 200;
    $r->{json} = eval { decode_json($r->{body}) } if $r->{status} != 200;
    return $r;
}

sub code { ($_[0]{json} && $_[0]{json}{error}) ? $_[0]{json}{error}{code}
                                               : '' }

sub key_ok {
    my ($r, $name, $what) = @_;
    ok($r->{status} == 200 && $r->{body} eq $k{$name}{key}, $what)
        or diag("$r->{status} $r->{body}");
}

sub refused {
    my ($r, $status, $code, $what) = @_;
    ok($r->{status} == $status && code($r) eq $code, $what)
        or diag("$r->{status} $r->{body}");
}

sub aes_claims { ($KIDC => $k{$_[0]}{kid}, DRM => 'ClearKey') }

# --- AES-128: JWT HS256 -----------------------------------------------------

$r = key_get('aes-jwt', token => jwt(aes_claims('aes-jwt')));
key_ok($r, 'aes-jwt', 'AES-128 key with a JWT: the listContentKeys value');
is($r->{headers}{'content-type'}, 'application/octet-stream',
    'key: application/octet-stream');
is($r->{headers}{'cache-control'}, 'no-store', 'key: no-store');
is($r->{headers}{'access-control-allow-origin'}, '*', 'key: CORS *');

key_ok(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'), key => $key2)),
    'aes-jwt', 'signed with the alternate key');
key_ok(key_get('aes-jwt', kid => uc $k{'aes-jwt'}{kid},
    token => jwt(aes_claims('aes-jwt'))), 'aes-jwt', 'KID in upper case');
key_ok($t->get('/keydelivery/?KID=' . $k{'aes-jwt'}{kid} . '&token='
    . jwt(aes_claims('aes-jwt'))), 'aes-jwt', 'KID= and token= parameters');
key_ok(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    aud => [ 'other', $AUD ])), 'aes-jwt', 'aud: an array holding it');
key_ok(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    exp => time() - 100)), 'aes-jwt', 'expired 100 s ago: within the skew');
key_ok(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    nbf => time() + 100)), 'aes-jwt', 'nbf in 100 s: within the skew');

# the token forms of the Authorization header and of the query
my $tok = jwt(aes_claims('aes-jwt'));
key_ok(key_get('aes-jwt', headers => { Authorization => "Bearer=$tok" }),
    'aes-jwt', 'Authorization: Bearer=<token>');
key_ok(key_get('aes-jwt', headers => { Authorization => "bearer  $tok" }),
    'aes-jwt', 'Authorization: bearer <token>');
key_ok(key_get('aes-jwt', headers => { Authorization => "Bearer%20$tok" }),
    'aes-jwt', 'Authorization: Bearer%20<token>');
key_ok(key_get('aes-jwt', headers => { Authorization => "Bearer%3D$tok" }),
    'aes-jwt', 'Authorization: Bearer%3D<token>');
key_ok(key_get('aes-jwt', query => 'token=' . uri_escape($tok)),
    'aes-jwt', '?token=<URL-encoded token>');
key_ok(key_get('aes-jwt', query => "token=$tok",
    headers => { Authorization => 'Basic dXNlcjpwdw==' }),
    'aes-jwt', 'another Authorization scheme: the query token');
key_ok($t->http(POST => "/keydelivery/?kid=$k{'aes-jwt'}{kid}",
    headers => { Authorization => "Bearer $tok" }, body => 'ignored'),
    'aes-jwt', 'POST: the key too');

# --- AES-128: each refusal --------------------------------------------------

refused(key_get('aes-jwt'), 401, 'TokenMissing', 'no token: 401');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    exp => time() - 400)), 401, 'TokenExpired', 'expired: 401');
refused(key_get('aes-jwt', query => 'token=' . jwt(aes_claims('aes-jwt'),
    exp => time() - 400)), 401, 'TokenExpired',
    'expired, in the query: 401 (logged without the request line)');
refused(key_get('aes-jwt', prefix => '/strict/', token =>
    jwt(aes_claims('aes-jwt'), exp => time() - 5)), 401, 'TokenExpired',
    'expired 5 s ago, sluice_key_clock_skew 0: 401');
key_ok(key_get('aes-jwt', prefix => '/strict/',
    token => jwt(aes_claims('aes-jwt'))), 'aes-jwt',
    'sluice_key_clock_skew 0: a valid token');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    nbf => time() + 400)), 401, 'TokenNotYetValid', 'nbf in 400 s: 401');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    exp => undef)), 401, 'TokenExpiryMissing', 'no exp: 401');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    key => 'not the key')), 401, 'TokenSignatureInvalid',
    'bad signature: 401');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    alg => 'none')), 401, 'TokenMalformed', 'alg none, no signature: 401');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    alg => 'HS512')), 401, 'TokenAlgorithmNotAllowed', 'alg HS512: 401');
refused(key_get('aes-jwt', token => 'not.a-token'), 401, 'TokenMalformed',
    'not a JWT: 401');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    iss => 'https://other.test')), 401, 'TokenIssuerMismatch',
    'wrong issuer: 401');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-jwt'),
    aud => 'urn:other')), 401, 'TokenAudienceMismatch',
    'wrong audience: 401');
refused(key_get('aes-jwt', token => jwt($KIDC => $k{'aes-jwt'}{kid})),
    403, 'TokenClaimMissing', 'required claim missing: 403');
refused(key_get('aes-jwt', token => jwt($KIDC => $k{'aes-jwt'}{kid},
    DRM => 'Widevine')), 403, 'TokenClaimMismatch',
    'required claim with another value: 403');
refused(key_get('aes-jwt', token => jwt(DRM => 'ClearKey')), 403,
    'TokenClaimMissing', 'no content key identifier claim: 403');
refused(key_get('aes-jwt', token => jwt(aes_claims('aes-open'))), 403,
    'TokenKeyIdentifierMismatch', 'a token for another KID: 403');

my $unknown = '6c0ffee0-0000-4000-8000-000000000001';
refused(key_get('aes-jwt', kid => $unknown, token => jwt(aes_claims(
    'aes-jwt'))), 404, 'ContentKeyNotFound', 'unknown KID: 404');
refused(key_get('aes-later'), 404, 'StreamingLocatorNotActive',
    'a locator before its startTime: 404');
refused(key_get('aes-jwt', kid => 'not-a-uuid'), 400,
    'InvalidKeyIdentifier', 'malformed KID: 400');
refused(key_get('aes-jwt', kid => substr($k{'aes-jwt'}{kid}, 0, 35)), 400,
    'InvalidKeyIdentifier', 'KID one digit short: 400');
$r = $t->get('/keydelivery/');
push @errors, $r->{body};
is($r->{status}, 400, 'no kid: 400');

# --- AES-128: RSA, X509, Open, SWT, DRM only, several options ---------------

key_ok(key_get('aes-rsa', token => jwt(alg => 'RS256', pem => 'rsa1.pem')),
    'aes-rsa', 'RS256 with an RSA key (modulus, exponent)');
refused(key_get('aes-rsa', token => jwt(alg => 'RS256', pem => 'rsa2.pem')),
    401, 'TokenSignatureInvalid', 'RS256 by another RSA key: 401');
refused(key_get('aes-rsa', token => jwt()), 401, 'TokenSignatureInvalid',
    'HS256 against an RSA key: 401');
key_ok(key_get('aes-x509', token => jwt(alg => 'RS256', pem => 'rsa2.pem')),
    'aes-x509', 'RS256 with an X509 certificate');
refused(key_get('aes-x509', token => jwt(alg => 'RS256', pem => 'rsa1.pem')),
    401, 'TokenSignatureInvalid', 'RS256 by another key than the certificate'
    . "'s: 401");

key_ok(key_get('aes-open'), 'aes-open', 'Open restriction: no token');
key_ok(key_get('aes-open', token => 'anything'), 'aes-open',
    'Open restriction: any token');

my $swt = swt($KIDC => $k{'aes-swt'}{kid});
key_ok(key_get('aes-swt', token => $swt), 'aes-swt', 'SWT: Bearer <swt>');
key_ok(key_get('aes-swt', headers => { Authorization =>
    'Bearer=' . uri_escape($swt) }), 'aes-swt',
    'SWT: Bearer=<URL-encoded swt> (AMP)');
key_ok(key_get('aes-swt', query => 'token=' . uri_escape($swt)), 'aes-swt',
    'SWT: ?token=<URL-encoded swt>');
refused(key_get('aes-swt', token => swt($KIDC => $k{'aes-swt'}{kid},
    key => $key2)), 401, 'TokenSignatureInvalid', 'SWT: bad HMAC: 401');
refused(key_get('aes-swt', token => swt($KIDC => $k{'aes-swt'}{kid},
    ExpiresOn => time() - 400)), 401, 'TokenExpired', 'SWT: expired: 401');
refused(key_get('aes-swt', token => swt($KIDC => $k{'aes-jwt'}{kid})), 403,
    'TokenKeyIdentifierMismatch', 'SWT: another KID: 403');
refused(key_get('aes-swt', token => jwt(aes_claims('aes-swt'))), 401,
    'TokenMalformed', 'a JWT where the policy wants an SWT: 401');

refused(key_get('aes-drm'), 403, 'NoClearKeyOption',
    'a policy with no ClearKey option: 403');

key_ok(key_get('aes-multi', token => jwt(iss => 'https://a.test')),
    'aes-multi', 'several options: the first one satisfied');
key_ok(key_get('aes-multi', token => jwt(iss => 'https://b.test',
    role => 'vip')), 'aes-multi', 'several options: the second one');
refused(key_get('aes-multi', token => jwt(iss => 'https://b.test')), 403,
    'TokenClaimMissing', 'several options: the refusal of the one that got '
    . 'furthest');
refused(key_get('aes-multi'), 401, 'TokenMissing',
    'several options, no token: 401');

# --- ClearKey licences ------------------------------------------------------

sub ck_kid { b64u(pack('H*', join '', split /-/, $k{$_[0]}{kid})) }

sub clearkey_post {
    my ($body, %o) = @_;
    my %h = ('Content-Type' => 'application/json', %{$o{headers} // {}});
    $h{Authorization} = "Bearer $o{token}" if defined $o{token};
    my $r = $t->http(POST => $o{path} // '/keydelivery/ClearKey/',
        headers => \%h, body => ref $body ? encode_json($body) : $body);
    push @errors, $r->{body} if $r->{status} != 200;
    $r->{json} = eval { decode_json($r->{body}) };
    return $r;
}

sub jwk_of {
    my ($r) = @_;
    return { map { $_->{kid} => $_ } @{($r->{json} // {})->{keys} // []} };
}

my $cj = ck_kid('cenc-jwt');
$r = clearkey_post({ kids => [ $cj ], type => 'temporary' },
    token => jwt(aes_claims('cenc-jwt')));
is($r->{status}, 200, 'ClearKey licence: 200') or diag($r->{body});
is($r->{headers}{'content-type'}, 'application/json',
    'ClearKey: application/json');
is($r->{headers}{'cache-control'}, 'no-store', 'ClearKey: no-store');
is_deeply($r->{json}, { keys => [ { kty => 'oct', kid => $cj,
    k => b64u($k{'cenc-jwt'}{key}) } ], type => 'temporary' },
    'ClearKey: the JWK set of the key (W3C EME 9.1.4)');

# content-protection.md §12: the JWK kid of that UUID
is(b64u(pack('H*', '00112233445566778899aabbccddeeff')),
    'ABEiM0RVZneImaq7zN3u_w', 'the base64url KID of the test vector');

$r = clearkey_post({ kids => [ $cj ] }, token => jwt(aes_claims('cenc-jwt')),
    path => '/keydelivery/clearkey');
is($r->{json}{type}, 'temporary', 'ClearKey: type temporary by default, '
    . 'path in any case');
$r = clearkey_post({ kids => [ $cj ], type => 'persistent-license' },
    token => jwt(aes_claims('cenc-jwt')));
is($r->{json}{type}, 'persistent-license', 'ClearKey: type echoed');

my $co = ck_kid('cenc-open');
$r = clearkey_post({ kids => [ $cj, $co ] },
    token => jwt(aes_claims('cenc-jwt')));
is_deeply([ sort keys %{jwk_of($r)} ], [ sort $cj, $co ],
    'ClearKey: two KIDs, both given');
is(jwk_of($r)->{$co}{k}, b64u($k{'cenc-open'}{key}), 'ClearKey: open key');

$r = clearkey_post({ kids => [ $cj, $co, b64u('x' x 16) ] },
    token => jwt(aes_claims('cenc-open')));
is_deeply([ keys %{jwk_of($r)} ], [ $co ],
    'ClearKey: only the KIDs the token gets (its KID claim names another)');

$r = clearkey_post({ kids => [ $cj ] }, token => jwt(aes_claims('cenc-open')));
refused($r, 403, 'TokenKeyIdentifierMismatch',
    'ClearKey: a token for another KID only: 403');
refused(clearkey_post({ kids => [ $cj ] }), 401, 'TokenMissing',
    'ClearKey: no token: 401');
refused(clearkey_post({ kids => [ $cj ] }, token => jwt(aes_claims(
    'cenc-jwt'), exp => time() - 400)), 401, 'TokenExpired',
    'ClearKey: expired: 401');
refused(clearkey_post({ kids => [ b64u('x' x 16) ] }), 404,
    'ContentKeyNotFound', 'ClearKey: unknown KID only: 404');
refused(clearkey_post('{"kids":'), 400, 'InvalidLicenseRequest',
    'ClearKey: not JSON: 400');
refused(clearkey_post({ kids => [] }), 400, 'InvalidLicenseRequest',
    'ClearKey: no KID: 400');
refused(clearkey_post({ kids => [ map { b64u(pack('N', $_) x 4) } 1 .. 17 ]
    }), 400, 'InvalidLicenseRequest', 'ClearKey: 17 KIDs: 400');
refused(clearkey_post({ kids => [ b64u('x' x 15) ] }), 400,
    'InvalidLicenseRequest', 'ClearKey: a 15-byte KID: 400');
refused(clearkey_post({ kids => [ 'not base64url!' ] }), 400,
    'InvalidLicenseRequest', 'ClearKey: a KID not base64url: 400');
refused(clearkey_post({ kids => [ $cj ], type => 'other' }), 400,
    'InvalidLicenseRequest', 'ClearKey: another type: 400');
refused(clearkey_post('{"kids":["' . ('A' x 5000) . '"]}'), 413,
    'RequestEntityTooLarge', 'ClearKey: a body over 4096 bytes: 413');

$r = $t->get('/keydelivery/ClearKey/');
push @errors, $r->{body};
ok($r->{status} == 405 && ($r->{headers}{allow} // '') eq 'POST, OPTIONS',
    'ClearKey: GET: 405 with Allow') or diag("$r->{status} $r->{body}");

# --- ClearKey: Chromium's own CDM -------------------------------------------

# the licence request as Chromium's ClearKey CDM writes it, the answer as it
# reads it (t/browser/clearkey.js), from a page of another origin
sub cdm {
    my (%o) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'node', "$FindBin::Bin/browser/clearkey.js",
        '--url', 'http://127.0.0.1:' . $t->port(8080)
                 . '/keydelivery/ClearKey/',
        (map { ('--kid', $_) } @{$o{kids}}),
        (defined $o{token} ? ('--token', $o{token}) : ()),
        '--timeout', 40 ], '<', \undef, '>', \$out, '2>', \$err,
        IPC::Run::timeout(60));
    my $j = eval { decode_json($out) } // {};
    diag("clearkey.js: $out $err") unless $j->{ok};
    return $j;
}

SKIP: {
    my $chromium = $ENV{SLUICE_CHROMIUM} || '/usr/bin/chromium';
    skip 'no chromium, node or t/browser/node_modules/playwright-core', 6
        unless -x $chromium && `which node` && -d
            "$FindBin::Bin/browser/node_modules/playwright-core";

    my $j = cdm(kids => [ $cj, $co ], token => jwt(aes_claims('cenc-jwt')));
    is_deeply(eval { decode_json($j->{request} // '') },
        { kids => [ $cj, $co ], type => 'temporary' },
        'Chromium CDM: its licence request, as W3C EME says');
    is($j->{status}, 200, 'Chromium CDM: 200, through the CORS preflight');
    is_deeply($j->{keys}, { $cj => 'usable', $co => 'usable' },
        'Chromium CDM: both keys usable');

    $j = cdm(kids => [ $cj, $co ], token => jwt(aes_claims('cenc-open')));
    is_deeply($j->{keys}, { $co => 'usable' },
        'Chromium CDM: only the key the token gets');

    $j = cdm(kids => [ $cj ]);
    is($j->{status}, 401, 'Chromium CDM: no token: 401, readable across '
        . 'origins');
    is((eval { decode_json($j->{body} // '') } // {})->{error}{code},
        'TokenMissing', 'Chromium CDM: the error body');
}

# --- AES-128: FFmpeg's HLS reader fetches the key --------------------------

# a TS segment encrypted here with the locator's key (openssl enc), in a
# playlist whose EXT-X-KEY names the key service with a token in the query
sub ffmpeg_hls {
    my ($token) = @_;
    my $uri = 'http://127.0.0.1:' . $t->port(8080)
        . "/keydelivery/?kid=$k{'aes-jwt'}{kid}&token=" . uri_escape($token);
    open my $fh, '>', "$dir/enc.m3u8" or die;
    print $fh "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        . "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-KEY:METHOD=AES-128,URI=\"$uri\","
        . "IV=0x" . ('0' x 32) . "\n#EXTINF:2.0,\nenc.ts\n#EXT-X-ENDLIST\n";
    close $fh;
    my $out = '';
    IPC::Run::run([ 'ffmpeg', '-v', 'error', '-allowed_extensions', 'ALL',
        '-protocol_whitelist', 'file,http,tcp,crypto', '-i',
        "$dir/enc.m3u8", '-f', 'framemd5', '-' ], '<', \undef,
        '>&', \$out, IPC::Run::timeout(60));
    return ($?, scalar(() = $out =~ /^0,/mg), $out);
}

SKIP: {
    skip 'no ffmpeg', 3 unless `which ffmpeg`;

    system("ffmpeg -v error -f lavfi -i testsrc=duration=2:size=160x120:"
        . "rate=10 -c:v mpeg2video -f mpegts -y $dir/seg.ts") == 0
        or die "ffmpeg: $?";
    openssl("enc -aes-128-cbc -K " . unpack('H*', $k{'aes-jwt'}{key})
        . " -iv " . ('0' x 32) . " -in $dir/seg.ts -out $dir/enc.ts");

    my ($rc, $frames, $out) = ffmpeg_hls(jwt(aes_claims('aes-jwt')));
    ok($rc == 0 && $frames == 20, 'FFmpeg plays AES-128 HLS with the key '
        . 'from the service (token in the key URI)')
        or diag("rc $rc, $frames frames: $out");

    ($rc, $frames, $out) = ffmpeg_hls(jwt(aes_claims('aes-jwt'),
        exp => time() - 400));
    ok($frames == 0 && $out =~ /Unable to open key file/, 'FFmpeg: an '
        . 'expired token, no key, no frame')
        or diag("rc $rc, $frames frames: $out");

    my $plain = `ffmpeg -v error -i $dir/enc.ts -f framemd5 - 2>&1`;
    ok(scalar(() = $plain =~ /^0,/mg) < 20,
        'the segment does not play without its key');
}

# --- the DRM licence routes, other paths -----------------------------------

for my $drm ("PlayReady/", "Widevine/?kid=$k{'aes-open'}{kid}",
             "FairPlay/?kid=$k{'aes-open'}{kid}")
{
    $r = $t->http(POST => "/keydelivery/$drm", body => 'challenge');
    push @errors, $r->{body};
    my $j = eval { decode_json($r->{body}) } // {};
    ok($r->{status} == 501 && ($j->{error}{code} // '') eq
        'LicenseNotSupported' && ($j->{error}{message} // '') =~
        /customLicenseAcquisitionUrlTemplate/,
        "$drm: 501, the licence is not issued, use a custom licence URL")
        or diag("$r->{status} $r->{body}");
}

$r = $t->get("/keydelivery/Other/?kid=$k{'aes-open'}{kid}");
push @errors, $r->{body};
is($r->{status}, 404, 'another path: 404');

# --- CORS -------------------------------------------------------------------

$r = $t->http(OPTIONS => '/keydelivery/ClearKey/', headers => {
    Origin => 'https://player.example',
    'Access-Control-Request-Method' => 'POST',
    'Access-Control-Request-Headers' => 'authorization,content-type' });
is($r->{status}, 204, 'preflight: 204');
is($r->{headers}{'access-control-allow-origin'}, 'https://player.example',
    'preflight: the Origin allowed');
like($r->{headers}{'access-control-allow-headers'} // '',
    qr/Authorization.*Content-Type/, 'preflight: Authorization, Content-Type');
like($r->{headers}{'access-control-allow-methods'} // '',
    qr/^GET, POST, OPTIONS$/, 'preflight: GET, POST, OPTIONS');

$r = key_get('aes-open', headers => { Origin => 'https://player.example' });
is($r->{headers}{'access-control-allow-origin'}, 'https://player.example',
    'key: the Origin allowed');
is($r->{headers}{vary}, 'Origin', 'key: Vary: Origin');
is($r->{headers}{'access-control-allow-credentials'}, 'true',
    'key: credentials allowed for that Origin');
$r = key_get('aes-jwt', headers => { Origin => 'https://player.example' });
is($r->{headers}{'access-control-allow-origin'}, 'https://player.example',
    'an error: the Origin allowed too');

# --- secrets ----------------------------------------------------------------

my @secrets = map { my $v = $k{$_}{key};
                    (unpack('H*', $v), encode_base64($v, ''), b64u($v)) }
              sort keys %k;

my @leaks = grep { my $e = $_; grep { index($e, $_) >= 0 } @secrets }
            @errors;
is(scalar @leaks, 0, 'no error body holds a key (' . scalar(@errors)
    . ' errors)');

my $log = $t->read_file('error.log');
my $line = "sluice key delivery: key $k{'aes-jwt'}{kid} (policy \"pol-jwt\")"
    . ' refused to 127.0.0.1: 403 TokenClaimMissing';
my ($logged) = grep { index(lc $_, lc $line) >= 0 } split /\n/, $log;
like($logged // '', qr/\[info\]/,
    'refusals are logged at info, with the KID and the policy');
my @in_log = grep { index($log, $_) >= 0 } @secrets;
is(scalar @in_log, 0, 'error.log holds no key (hex, base64, base64url)');
my @tok_in_log = grep { my $s = substr($_, -20); index($log, $s) >= 0 }
                 @tokens;
is(scalar @tok_in_log, 0, 'error.log holds no token (' . scalar(@tokens)
    . ' tokens)');

# --- conf.examples/quickstart.conf serves the same keys ---------------------

$t->stop();

my $conf = $t->quickstart_conf();
$t->write_file_expand('nginx.conf', $conf);
$t->run();

key_ok($t->get("/keydelivery/?kid=$k{'aes-open'}{kid}", https => 1),
    'aes-open', 'quickstart.conf, after a restart: the key over HTTPS');
$r = $t->get("/keydelivery/?kid=$k{'aes-jwt'}{kid}&token="
    . jwt(aes_claims('aes-jwt')));
key_ok($r, 'aes-jwt', 'quickstart.conf: with a token in the query');
my $access = $t->wait_for(sub {
    my $l = eval { $t->read_file('logs/access.log') } // '';
    return $l =~ m{"GET /keydelivery/" 200} ? $l : undef;
}, timeout => 10, what => 'the key requests in logs/access.log') // '';
ok(length $access, 'quickstart.conf: key requests in the access log');
unlike($access, qr/token=|\Q$k{'aes-jwt'}{kid}\E/,
    'quickstart.conf: the access log of the key location leaves out the '
    . 'query');

$t->done_testing();
