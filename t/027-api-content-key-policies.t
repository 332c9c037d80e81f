#!/usr/bin/perl

# REST API: content key policies (AMS v3 Metadata 2023-01-01): the AMS
# examples created (201) and read back in the OpenAPI shapes, secrets
# null in GET and list but returned by getPolicyPropertiesWithSecrets,
# policyId and policyOptionId kept by an update, invalid options refused
# (400, one case each), PATCH, DELETE, persistence (files 0600).

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::ApiRes;

my $t = Test::Sluice->new();
my $oa = Sluice::ApiRes::openapi();

Sluice::ApiRes::config($t);
$t->run();

sub code { Sluice::ApiRes::code(@_) }

sub example {
    my ($name) = @_;
    my $f = Sluice::OpenAPI::default_dir() . "/examples/$name.json";
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    return decode_json(<$fh>)->{parameters}{parameters};
}

my $P = '#Microsoft.Media.ContentKeyPolicy';
my $key = 'AAAAAAAAAAAAAAAAAAAAAA==';

# --- the AMS examples -------------------------------------------------------

my %bodies;

for my $ex (qw(multiple-options nodrm-token playready-open widevine-token)) {
    my $body = example("content-key-policies-create-$ex");
    $bodies{$ex} = $body;
    my $r = $t->api(PUT => "contentKeyPolicies/$ex", $body);
    is($r->{status}, 201, "$ex: 201");
    $oa->ok('ContentKeyPolicy', $r, "$ex: shape");
    is($r->{json}{type}, 'Microsoft.Media/mediaservices/contentKeyPolicies',
        "$ex: type");
    like($r->{json}{properties}{policyId} // '', qr/^[0-9a-f-]{36}$/,
        "$ex: policyId");
    is(scalar @{$r->{json}{properties}{options}},
        scalar @{$body->{properties}{options}}, "$ex: options kept");
    like($_->{policyOptionId} // '', qr/^[0-9a-f-]{36}$/,
        "$ex: option $_->{name}: policyOptionId")
        for @{$r->{json}{properties}{options}};
}

# --- secrets ----------------------------------------------------------------

my $r = $t->api(GET => 'contentKeyPolicies/nodrm-token');
is($r->{status}, 200, 'GET: 200');
$oa->ok('ContentKeyPolicy', $r, 'GET: shape');
my $pk = $r->{json}{properties}{options}[0]{restriction}
    {primaryVerificationKey};
ok(exists $pk->{keyValue} && !defined $pk->{keyValue},
    'GET: the verification key is null');
unlike($r->{body}, qr/\Q$key\E/, 'GET: the key is nowhere in the body');

$r = $t->api(GET => 'contentKeyPolicies');
is($r->{status}, 200, 'list: 200');
$oa->ok('ContentKeyPolicyCollection', $r, 'list: shape');
is(scalar @{$r->{json}{value}}, 4, 'list: 4');
unlike($r->{body}, qr/\Q$key\E/, 'list: no key');

$r = $t->api(POST =>
    'contentKeyPolicies/nodrm-token/getPolicyPropertiesWithSecrets');
is($r->{status}, 200, 'getPolicyPropertiesWithSecrets: 200');
$oa->ok('ContentKeyPolicyProperties', $r, 'with secrets: shape');
is($r->{json}{options}[0]{restriction}{primaryVerificationKey}{keyValue},
    $key, 'with secrets: the key');
is($t->api(POST =>
    'contentKeyPolicies/none/getPolicyPropertiesWithSecrets')->{status},
    404, 'with secrets of no policy: 404');
is($t->api(POST => 'contentKeyPolicies/nodrm-token/other')->{status}, 404,
    'unknown action: 404');

# --- updates ----------------------------------------------------------------

my $before = $t->api(GET => 'contentKeyPolicies/nodrm-token')->{json};
my $upd = example('content-key-policies-update');
$upd->{properties}{options}[0]{policyOptionId} =
    $before->{properties}{options}[0]{policyOptionId};
$r = $t->api(PUT => 'contentKeyPolicies/nodrm-token', $upd);
is($r->{status}, 200, 'PUT update: 200');
is($r->{json}{properties}{policyId}, $before->{properties}{policyId},
    'policyId kept');
is($r->{json}{properties}{options}[0]{policyOptionId},
    $before->{properties}{options}[0]{policyOptionId},
    'policyOptionId kept when sent back');
is($r->{json}{properties}{options}[0]{restriction}{'@odata.type'},
    "${P}OpenRestriction", 'restriction replaced');
is($r->{json}{properties}{created}, $before->{properties}{created},
    'created kept');

$r = $t->api(PATCH => 'contentKeyPolicies/nodrm-token',
    { properties => { description => 'patched' } });
is($r->{status}, 200, 'PATCH: 200');
is($r->{json}{properties}{description}, 'patched', 'PATCH: description');
is(scalar @{$r->{json}{properties}{options}}, 1, 'PATCH: options kept');
is($t->api(PATCH => 'contentKeyPolicies/none',
    { properties => {} })->{status}, 404, 'PATCH of no policy: 404');

# --- refusals ---------------------------------------------------------------

sub option {
    my (%o) = @_;
    return { properties => { options => [ {
        name => 'o',
        configuration => $o{configuration}
            // { '@odata.type' => "${P}ClearKeyConfiguration" },
        restriction => $o{restriction}
            // { '@odata.type' => "${P}OpenRestriction" } } ] } };
}

sub token {
    my (%o) = @_;
    return { '@odata.type' => "${P}TokenRestriction", issuer => 'i',
        audience => 'a', restrictionTokenType => 'Jwt',
        primaryVerificationKey => { '@odata.type' => "${P}SymmetricTokenKey",
            keyValue => $key }, %o };
}

my @bad = (
    [ { properties => {} }, 'no options' ],
    [ { properties => { options => [] } }, 'empty options' ],
    [ option(configuration => { '@odata.type' => '#Other' }),
      'unknown configuration type' ],
    [ option(configuration => { '@odata.type' =>
        "${P}WidevineConfiguration" }), 'widevineTemplate missing' ],
    [ option(configuration => { '@odata.type' =>
        "${P}FairPlayConfiguration", ask => $key }),
      'FairPlay members missing' ],
    [ option(restriction => 'open'), 'restriction not an object' ],
    [ option(restriction => token(restrictionTokenType => 'Unknown')),
      'token type Unknown' ],
    [ option(restriction => token(issuer => undef)), 'issuer missing' ],
    [ option(restriction => token(primaryVerificationKey =>
        { '@odata.type' => "${P}SymmetricTokenKey", keyValue => '!!' })),
      'key not base64' ],
    [ option(restriction => token(primaryVerificationKey =>
        { '@odata.type' => "${P}RsaTokenKey", exponent => 'AQAB' })),
      'RSA modulus missing' ],
    [ option(restriction => token(requiredClaims => [ { claimValue => 'x' }
        ])), 'claim without claimType' ],
    [ option(restriction => token(alternateVerificationKeys => [ {} ])),
      'alternate key without a type' ],
);

for my $b (@bad) {
    $r = $t->api(PUT => 'contentKeyPolicies/bad', $b->[0]);
    is($r->{status}, 400, "$b->[1]: 400");
    is(code($r), 'BadRequest', "$b->[1]: BadRequest");
    $oa->ok('ErrorResponse', $r, "$b->[1]: error shape");
}

is($t->api(GET => 'contentKeyPolicies/bad')->{status}, 404,
    'refused ones not created');

$r = $t->api(PUT => 'contentKeyPolicies/rsa', option(restriction => token(
    primaryVerificationKey => { '@odata.type' => "${P}RsaTokenKey",
        exponent => 'AQAB', modulus => $key },
    requiredClaims => [ { claimType =>
        'urn:microsoft:azure:mediaservices:contentkeyidentifier' } ])));
is($r->{status}, 201, 'RSA key and the content key identifier claim: 201');

# --- persistence, delete ----------------------------------------------------

my $file = $t->testdir() . '/data/api/contentKeyPolicies/rsa.json';
ok(-f $file, 'saved');
is((stat $file)[2] & 07777, 0600, 'file readable by its owner only');

$t->stop();
$t->run();

$r = $t->api(GET => 'contentKeyPolicies');
is(scalar @{$r->{json}{value}}, 5, 'after restart: 5');
$r = $t->api(POST =>
    'contentKeyPolicies/multiple-options/getPolicyPropertiesWithSecrets');
is($r->{json}{options}[0]{restriction}{primaryVerificationKey}{keyValue},
    $key, 'secrets after restart');

is($t->api(DELETE => 'contentKeyPolicies/rsa')->{status}, 200,
    'DELETE: 200');
is($t->api(DELETE => 'contentKeyPolicies/rsa')->{status}, 204,
    'DELETE again: 204');
ok(!-e $file, 'file removed');

$t->done_testing();
