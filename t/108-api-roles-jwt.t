#!/usr/bin/perl

# REST API access control: named API keys with roles (reader,
# contributor, owner) and bearer JWTs checked against a JWKS file.  Keys
# made here with openssl (RSA 2048, EC P-256), the JWKS written here,
# tokens signed with `openssl dgst` (RS256, and ES256 with the DER
# signature turned into r || s).  Reader reads, contributor writes;
# refusals are 401 (with WWW-Authenticate: Bearer) or 403, AMS-shaped;
# neither keys nor tokens reach the logs; a JWKS that does not parse
# fails nginx -t and a reload.  Then the Azure SDK with a token
# credential minting such JWTs (t/sdk/roles-jwt.js), when node is there.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use JSON::PP ();
use MIME::Base64 qw(encode_base64url);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new()->has_program('openssl');
my $d = $t->testdir();

my $ISS = 'https://sts.windows.net/test-tenant/';
my $ISS2 = 'https://login.microsoftonline.com/test-tenant/v2.0';
my $READER = 'reader-secret-0123456789';
my $WRITER = 'contributor-secret-9876543210';

# --- keys, JWKS, tokens ------------------------------------------------

sub openssl {
    my (@args) = @_;

    my ($in, $out, $err) = (undef, '', '');
    $in = ${shift @args} if ref $args[0];
    IPC::Run::run(['openssl', @args], '<', \$in, '>', \$out, '2>', \$err)
        or die "openssl @args: $err";
    return $out;
}

openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
    '-out', "$d/rsa1.pem");
openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
    '-out', "$d/rsa2.pem");
openssl('genpkey', '-algorithm', 'EC', '-pkeyopt',
    'ec_paramgen_curve:P-256', '-out', "$d/ec1.pem");

# the hex bytes after "label:" in `openssl pkey -text_pub`
sub pub_bytes {
    my ($pem, $label) = @_;

    my $text = openssl('pkey', '-in', $pem, '-noout', '-text_pub');
    $text =~ /^\Q$label\E:\s*\n((?:\s+[0-9a-f:]+\n)+)/m
        or die "no $label in $text";
    (my $hex = $1) =~ s/[\s:]//g;
    return pack('H*', $hex);
}

sub jwk_rsa {
    my ($pem, %extra) = @_;

    (my $n = pub_bytes($pem, 'Modulus')) =~ s/^\0+//;
    return { kty => 'RSA', n => encode_base64url($n), e => 'AQAB', %extra };
}

sub jwk_ec {
    my ($pem, %extra) = @_;

    my $p = pub_bytes($pem, 'pub');
    return { kty => 'EC', crv => 'P-256',
        x => encode_base64url(substr($p, 1, 32)),
        y => encode_base64url(substr($p, 33, 32)), %extra };
}

my $json = JSON::PP->new->canonical;

my $jwks = $json->encode({ keys => [
    jwk_rsa("$d/rsa1.pem", kid => 'rsa-1', use => 'sig'),
    jwk_ec("$d/ec1.pem", kid => 'ec-1', alg => 'ES256'),
    { kty => 'oct', k => 'c2VjcmV0', kid => 'hmac' },
] });
$t->write_file('jwks.json', $jwks);

# DER ECDSA-Sig-Value -> r || s, 32 bytes each
sub der_to_rs {
    my ($der) = @_;

    my @b = unpack('C*', $der);
    my $i = 2;
    $i++ if $b[1] & 0x80;
    my @out;
    for (1 .. 2) {
        die 'not DER' unless $b[$i] == 0x02;
        my $len = $b[$i + 1];
        my $v = pack('C*', @b[$i + 2 .. $i + 1 + $len]);
        $v =~ s/^\0+//;
        push @out, ("\0" x (32 - length $v)) . $v;
        $i += 2 + $len;
    }
    return join '', @out;
}

sub jwt {
    my (%o) = @_;

    my $alg = $o{alg} // 'RS256';
    my $header = { typ => 'JWT', alg => $alg,
        (defined $o{kid} ? (kid => $o{kid}) : ()) };
    my $now = time();
    my $claims = {
        aud => $o{aud} // 'api://sluice',
        iss => $o{iss} // $ISS,
        iat => $now, nbf => $o{nbf} // $now - 10,
        exp => $o{exp} // $now + 3600,
        appid => 'app', sub => $o{sub} // 'app-object-id', tid => 'test-tenant',
        (exists $o{roles} ? (defined $o{roles} ? (roles => $o{roles}) : ())
                          : (roles => ['Media.Write'])),
    };
    my $data = encode_base64url($json->encode($header)) . '.'
        . encode_base64url($json->encode($claims));
    return "$data." if $alg eq 'none';

    my $sig = openssl(\$data, 'dgst', '-sha256', '-sign', $o{key});
    $sig = der_to_rs($sig) if $alg eq 'ES256';
    return "$data." . encode_base64url($sig);
}

sub rs { jwt(kid => 'rsa-1', key => "$d/rsa1.pem", @_) }
sub es { jwt(kid => 'ec-1', key => "$d/ec1.pem", alg => 'ES256', @_) }

# --- nginx -------------------------------------------------------------

sub config {
    my (%o) = @_;

    $t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
        port => 8443, listen => ' ssl', server => <<'EOF2', sluice => <<"EOF3");
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;
EOF2
sluice_zone sluice 8m;
sluice_data_path data;
sluice_account %%ACCOUNT%%;
sluice_api_key %%API_KEY%%;
sluice_api_key viewer $READER role=reader;
sluice_api_key ops $WRITER role=contributor;
sluice_api_jwks jwks.json;
sluice_api_jwt_issuer $ISS $ISS2;
sluice_api_jwt_audience api://sluice https://127.0.0.1:%%PORT_8443%%;
sluice_api_jwt_role Media.Read reader;
sluice_api_jwt_role Media.Write contributor;
@{[ $o{extra} // '' ]}
EOF3
}

config();
$t->run();

sub call {
    my ($method, $path, $cred, $data, %o) = @_;

    return $t->api($method, $path, $data, key => $cred, https => 1, %o);
}

sub code {
    my ($r) = @_;

    return $r->{json} && $r->{json}{error} ? $r->{json}{error}{code} // '' : '';
}

my $event = { location => 'here',
    properties => { input => { streamingProtocol => 'RTMP' } } };

is(call(PUT => 'liveEvents/owned', $t->api_key(), $event)->{status}, 201,
    'the one-argument key: owner, creates');

# --- keys --------------------------------------------------------------

my $r = call(GET => 'liveEvents', $READER);
is($r->{status}, 200, 'reader key: list');
is(call(GET => 'liveEvents/owned', $READER)->{status}, 200,
    'reader key: get');
is(call(POST => 'liveEvents/owned/getStatus', $READER, {})->{status}, 200,
    'reader key: POST getStatus');
is(call(POST => 'streamingLocators/nope/listPaths', $READER, {})->{status},
    404, 'reader key: POST listPaths is allowed (404: no such locator)');

$r = call(PUT => 'liveEvents/byreader', $READER, $event);
is($r->{status}, 403, 'reader key: PUT 403');
is(code($r), 'AuthorizationFailed', 'reader key: AuthorizationFailed');
like($r->{json}{error}{message} // '',
    qr{^The client 'viewer' with role 'reader' does not have authorization to perform action 'Microsoft\.Media/mediaservices/liveevents/write' over scope '/subscriptions/},
    'reader key: ARM-shaped message');
ok(!defined $r->{headers}{'www-authenticate'}, '403: no WWW-Authenticate');

for my $c ([ POST => 'liveEvents/owned/start', 'start' ],
           [ DELETE => 'liveEvents/owned', 'DELETE' ],
           [ PATCH => 'liveEvents/owned', 'PATCH' ],
           [ POST => 'streamingLocators/any/listContentKeys',
             'listContentKeys (secrets)' ],
           [ POST => 'contentKeyPolicies/any/getPolicyPropertiesWithSecrets',
             'getPolicyPropertiesWithSecrets' ],
           [ POST => 'assets/any/listContainerSas', 'listContainerSas' ])
{
    my ($m, $p, $what) = @$c;
    $r = call($m, $p, $READER, {});
    is($r->{status}, 403, "reader key: $what 403");
}
like(call(POST => 'liveEvents/owned/start', $READER, {})->{json}{error}{message},
    qr{'Microsoft\.Media/mediaservices/liveevents/start/action'},
    'reader key: the action named as ARM does');

is(call(PUT => 'liveEvents/byops', $WRITER, $event)->{status}, 201,
    'contributor key: PUT 201');
is(call(PUT => 'assets/byops', $WRITER, { properties => {} })->{status}, 201,
    'contributor key: PUT asset 201');
like(call(DELETE => 'liveEvents/byops', $WRITER)->{status}, qr/^20[02]$/,
    'contributor key: DELETE 200 or 202');
is(call(POST => 'streamingLocators/any/listContentKeys', $WRITER, {})->{status},
    404, 'contributor key: listContentKeys allowed (404: no such locator)');

$r = call(GET => 'liveEvents', 'reader-secret-012345678');
is($r->{status}, 401, 'unknown key: 401');
is(code($r), 'AuthenticationFailed', 'unknown key: AuthenticationFailed');
is($r->{headers}{'www-authenticate'},
    'Bearer realm="sluice", error="invalid_token"',
    'unknown key: WWW-Authenticate: Bearer, invalid_token');

$r = call(GET => 'liveEvents', '');
is($r->{status}, 401, 'no credential: 401');
is($r->{headers}{'www-authenticate'}, 'Bearer realm="sluice"',
    'no credential: WWW-Authenticate: Bearer, no error');

$r = $t->api(GET => 'liveEvents', undef, key => '', https => 1,
    headers => { Authorization => "Basic $READER" });
is($r->{status}, 401, 'a key in another scheme: 401');

# --- JWTs --------------------------------------------------------------

is(call(PUT => 'liveEvents/byrs', rs(), $event)->{status}, 201,
    'JWT RS256, Media.Write: PUT 201');
is(call(PUT => 'liveEvents/byes', es(), $event)->{status}, 201,
    'JWT ES256, Media.Write: PUT 201');
is(call(GET => 'liveEvents/byes', es(roles => ['Media.Read']))->{status}, 200,
    'JWT ES256, Media.Read: GET 200');
is(call(GET => 'liveEvents', rs(iss => $ISS2, aud => ['other', 'api://sluice'],
    roles => 'Media.Read'))->{status}, 200,
    'JWT: v2.0 issuer, aud an array, roles a string');

$r = call(PUT => 'liveEvents/x', es(roles => ['Media.Read'], sub => 'app-r'),
    $event);
is($r->{status}, 403, 'JWT role reader: PUT 403');
like($r->{json}{error}{message} // '', qr/^The client 'app-r' with role 'reader'/,
    'JWT role reader: the subject named');

$r = call(GET => 'liveEvents', rs(roles => undef));
is($r->{status}, 403, 'JWT without roles, no default role: GET 403');
is(call(GET => 'liveEvents', rs(roles => ['Owner']))->{status}, 403,
    'JWT: a role name not mapped gives nothing');

my @bad = (
    [ 'expired', rs(exp => time() - 3600, nbf => time() - 7200),
      'ExpiredAuthenticationToken' ],
    [ 'not yet valid', rs(nbf => time() + 3600), 'InvalidAuthenticationToken' ],
    [ 'wrong audience', rs(aud => 'api://other'),
      'InvalidAuthenticationTokenAudience' ],
    [ 'wrong issuer', rs(iss => 'https://sts.windows.net/other-tenant/'),
      'InvalidAuthenticationTokenTenant' ],
    [ 'bad signature (another key)', rs(key => "$d/rsa2.pem"),
      'InvalidAuthenticationToken' ],
    [ 'unknown kid', rs(kid => 'rsa-9'), 'InvalidAuthenticationToken' ],
    [ 'kid of the other algorithm', rs(kid => 'ec-1'),
      'InvalidAuthenticationToken' ],
    [ 'kid of a skipped HMAC key', jwt(kid => 'hmac', key => "$d/rsa1.pem"),
      'InvalidAuthenticationToken' ],
    [ 'alg none', jwt(alg => 'none', kid => 'rsa-1') . 'AAAA',
      'InvalidAuthenticationToken' ],
);

my @part = split /\./, es(roles => ['Media.Read']);
$part[1] = encode_base64url($json->encode({ aud => 'api://sluice',
    iss => $ISS, exp => time() + 3600, roles => ['Media.Write'] }));
my $tampered = join '.', @part;
push @bad, [ 'payload changed after signing', $tampered,
    'InvalidAuthenticationToken' ];

for my $b (@bad) {
    my ($what, $token, $want) = @$b;

    $r = call(GET => 'liveEvents', $token);
    is($r->{status}, 401, "JWT $what: 401");
    is(code($r), $want, "JWT $what: $want");
    like($r->{headers}{'www-authenticate'} // '', qr/^Bearer .*invalid_token/,
        "JWT $what: WWW-Authenticate");
}

# --- secrets never logged ----------------------------------------------

my $log = $t->error_log() . ($t->read_file('access.log') // '');
my @secrets = ($READER, $WRITER, $t->api_key(), rs(), 'eyJ');
ok(!grep({ index($log, $_) >= 0 } @secrets),
    'no key or token in error.log or access.log');
like($t->error_log(), qr/sluice api: 403 AuthorizationFailed/,
    'refusals are logged, by code');

# --- default role, then JWKS errors ------------------------------------

config(extra => 'sluice_api_jwt_default_role reader;');
ok($t->reload(), 'reload: sluice_api_jwt_default_role reader');
# the old workers may take a last connection or two
ok($t->wait_for(sub { call(GET => 'liveEvents', rs(roles => undef))
                          ->{status} == 200 }, 10),
    'JWT without roles, default role reader: GET 200');
is(call(PUT => 'liveEvents/y', rs(roles => undef), $event)->{status}, 403,
    'JWT without roles, default role reader: PUT 403');

$t->write_file('jwks.json', '{"keys":[{"kty":"RSA","e":"AQAB"}]}');
my ($rc, $out) = $t->nginx_t();
isnt($rc, 0, 'nginx -t: a JWKS that does not parse fails');
like($out, qr/\[emerg\] invalid JWKS ".*jwks\.json": key 0: an RSA key needs "n" and "e"/,
    'nginx -t: the reason, and which key');

# nginx -t logs to error.log too
$t->expect_errors(qr/invalid JWKS/, qr/is the same as the key/,
    qr/a named key is/, qr/invalid key role/, qr/"sluice_api_jwks" needs/);
ok(!$t->reload(), 'reload with that JWKS fails');
is(call(GET => 'liveEvents', es(roles => ['Media.Read']))->{status}, 200,
    'the keys loaded before still serve');

$t->write_file('jwks.json', '{"keys":[{"kty":"oct","k":"AA"}]}');
($rc, $out) = $t->nginx_t();
like($out, qr/invalid JWKS .*no RS256 or ES256 signing key/,
    'nginx -t: a JWKS without a usable key fails');

$t->write_file('jwks.json', $jwks);
config(extra => "sluice_api_key viewer2 $READER role=reader;");
($rc, $out) = $t->nginx_t();
like($out, qr/\[emerg\] the key "viewer2" is the same as the key "viewer"/,
    'nginx -t: one key under two names fails');
unlike($out, qr/\Q$READER\E/, 'nginx -t: ... without printing the key');

config(extra => 'sluice_api_key lone role=reader;');
($rc, $out) = $t->nginx_t();
like($out, qr/\[emerg\] a named key is "sluice_api_key NAME KEY/,
    'nginx -t: a key with a role needs a name');

config(extra => 'sluice_api_key x y role=admin;');
($rc, $out) = $t->nginx_t();
like($out, qr/\[emerg\] invalid key role "role=admin"/, 'nginx -t: bad role');

config();
$t->write_file_expand('nginx.conf', $t->read_file('nginx.conf')
    =~ s/^\s*sluice_api_jwt_audience .*\n//mr);
($rc, $out) = $t->nginx_t();
like($out, qr/"sluice_api_jwks" needs "sluice_api_jwt_issuer" and "sluice_api_jwt_audience"/,
    'nginx -t: a JWKS without an audience fails');

config();
ok($t->reload(), 'reload: the first configuration');

# --- the Azure SDK with a token credential ------------------------------

my $sdk = "$FindBin::Bin/sdk";

SKIP: {
    skip 'node or t/sdk/node_modules missing (npm ci --prefix t/sdk)', 6
        unless Test::Sluice::_which('node')
            && -d "$sdk/node_modules/\@azure/arm-mediaservices";

    is(call(PUT => 'liveEvents/seeded', $WRITER, $event)->{status}, 201,
        'a live event for the SDK');

    my ($cert) = $t->make_cert();
    local $ENV{NODE_EXTRA_CA_CERTS} = $cert;

    for my $c ([ 'ec1.pem', 'ec-1', 'ES256', 'Media.Write', 1 ],
               [ 'rsa1.pem', 'rsa-1', 'RS256', 'Media.Read', 0 ])
    {
        my ($pem, $kid, $alg, $role, $writes) = @$c;
        my $o = '';
        IPC::Run::run(['node', "$sdk/roles-jwt.js",
            'https://127.0.0.1:' . $t->port(8443), $t->account, "$d/$pem",
            $kid, $alg, $ISS, $role, $writes],
            '<', \undef, '>&', \$o, IPC::Run::timeout(120));
        is($? >> 8, 0, "SDK, $alg token, $role") or diag($o);
        like($o, qr/^done$/m, "SDK, $alg token, $role: all checks passed");
        like($o, $writes ? qr/^ok create a live event$/m
                         : qr/^ok create a live event: 403 AuthorizationFailed$/m,
            "SDK, $alg token, $role: " . ($writes ? 'writes' : 'refused'));
    }
}

$t->done_testing();
