#!/usr/bin/perl

# REST API: streaming locators (AMS v3 Metadata 2023-01-01): PUT (201,
# immutable), GET, list, DELETE, listPaths (the manifest name of the live
# output that recorded the asset), listContentKeys; references checked,
# caller-supplied streamingLocatorId, startTime/endTime, filters;
# persistence.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::ApiRes;

my $t = Test::Sluice->new();
my $oa = Sluice::ApiRes::openapi();

Sluice::ApiRes::config($t);
$t->run();

my $uuid = qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

sub code { Sluice::ApiRes::code(@_) }

sub locator {
    my ($name, %props) = @_;
    return $t->api(PUT => "streamingLocators/$name", { properties => {
        streamingPolicyName => 'Predefined_ClearStreamingOnly', %props } });
}

$t->api(PUT => "assets/$_", { properties => {} }) for qw(rec plain);
$t->api(PUT => 'liveEvents/ev1', { location => 'here',
    properties => { input => { streamingProtocol => 'RTMP' } } });
is($t->api(PUT => 'liveEvents/ev1/liveOutputs/o1', { properties => {
    assetName => 'rec', archiveWindowLength => 'PT10M',
    manifestName => 'show' } })->{status}, 201, 'asset rec is recorded');

# --- create -------------------------------------------------------------

my $r = locator('loc1', assetName => 'rec');
is($r->{status}, 201, 'create: 201');
$oa->ok('StreamingLocator', $r, 'create: shape');

my $l = $r->{json};
is($l->{type}, 'Microsoft.Media/mediaservices/streamingLocators', 'type');
like($l->{id}, qr{/mediaservices/local/streamingLocators/loc1$}, 'id');
is($l->{properties}{assetName}, 'rec', 'assetName');
is($l->{properties}{streamingPolicyName}, 'Predefined_ClearStreamingOnly',
    'streamingPolicyName');
like($l->{properties}{streamingLocatorId}, $uuid, 'streamingLocatorId');
is($l->{properties}{endTime}, '9999-12-31T23:59:59.9999999Z',
    'endTime: the AMS default');
ok(!exists $l->{properties}{startTime}, 'no startTime');
is_deeply($l->{properties}{contentKeys}, [], 'contentKeys empty');
like($l->{properties}{created}, qr/^\d{4}-/, 'created');

my $given = 'E34B0FC4-3BE0-4A3C-9793-1F6B7BE5B013';
$r = locator('loc2', assetName => 'rec', streamingLocatorId => $given,
    startTime => '2026-01-01T00:00:00+01:00',
    endTime => '2036-01-01T00:00:00Z', filters => [ 'f1', 'f2' ],
    alternativeMediaId => 'alt', defaultContentKeyPolicyName => 'ckp');
is($r->{status}, 201, 'create with an id, times, filters');
$oa->ok('StreamingLocator', $r, 'shape');
is($r->{json}{properties}{streamingLocatorId}, lc $given,
    'caller-supplied streamingLocatorId honoured');
like($r->{json}{properties}{startTime}, qr/^2025-12-31T23:00:00(\.0+)?Z$/,
    'startTime stored (UTC)');
like($r->{json}{properties}{endTime}, qr/^2036-01-01T00:00:00(\.0+)?Z$/,
    'endTime stored');
is_deeply($r->{json}{properties}{filters}, [ 'f1', 'f2' ], 'filters stored');
is($r->{json}{properties}{alternativeMediaId}, 'alt', 'alternativeMediaId');

# --- refusals --------------------------------------------------------------

my @bad = (
    [ 409, 'Conflict', 'duplicate streamingLocatorId',
      assetName => 'rec', streamingLocatorId => lc $given ],
    [ 400, 'BadRequest', 'invalid streamingLocatorId',
      assetName => 'rec', streamingLocatorId => 'not-a-uuid' ],
    [ 400, 'BadRequest', 'assetName missing' ],
    [ 400, 'BadRequest', 'streamingPolicyName missing',
      assetName => 'rec', streamingPolicyName => undef ],
    [ 404, 'NotFound', 'asset missing', assetName => 'nope' ],
    [ 404, 'NotFound', 'policy missing',
      assetName => 'rec', streamingPolicyName => 'nope' ],
    [ 400, 'NotSupported', 'encrypting policy',
      assetName => 'rec', streamingPolicyName => 'Predefined_ClearKey' ],
    [ 400, 'NotSupported', 'content keys',
      assetName => 'rec', contentKeys => [ { id => $given } ] ],
    [ 400, 'BadRequest', 'bad startTime',
      assetName => 'rec', startTime => 'yesterday' ],
    [ 400, 'BadRequest', 'endTime before startTime',
      assetName => 'rec', startTime => '2030-01-01T00:00:00Z',
      endTime => '2029-01-01T00:00:00Z' ],
    [ 400, 'BadRequest', 'filters not strings',
      assetName => 'rec', filters => [ 1 ] ],
);

for my $b (@bad) {
    my ($status, $code, $what, %props) = @$b;
    my $body = { streamingPolicyName => 'Predefined_ClearStreamingOnly',
                 %props };
    delete $body->{$_} for grep { !defined $body->{$_} } keys %$body;
    $r = $t->api(PUT => 'streamingLocators/bad', { properties => $body });
    is($r->{status}, $status, "$what: $status");
    is(code($r), $code, "$what: $code");
}

is($t->api(GET => 'streamingLocators/bad')->{status}, 404,
    'refused ones not created');

$r = locator('loc1', assetName => 'plain');
is($r->{status}, 409, 'a second PUT: 409 (locators are immutable)');
is($t->api(GET => 'streamingLocators/loc1')->{json}{properties}{assetName},
    'rec', 'unchanged');
is($t->api(PATCH => 'streamingLocators/loc1', { properties => {} })
    ->{status}, 405, 'PATCH: 405');

# --- listPaths ----------------------------------------------------------------

$r = $t->api(POST => 'streamingLocators/loc1/listPaths');
is($r->{status}, 200, 'listPaths: 200');
$oa->ok('ListPathsResponse', $r, 'listPaths: shape');

my $id = $l->{properties}{streamingLocatorId};
my %paths = map { $_->{streamingProtocol} => $_ } @{$r->{json}{streamingPaths}};
is_deeply([ sort keys %paths ], [ qw(Dash Hls SmoothStreaming) ],
    'Hls, Dash, SmoothStreaming');
is($paths{Hls}{encryptionScheme}, 'NoEncryption', 'NoEncryption');
is_deeply($paths{Hls}{paths},
    [ "/$id/show.ism/manifest(format=m3u8-aapl)",
      "/$id/show.ism/manifest(format=m3u8-cmaf)" ], 'HLS paths');
is_deeply($paths{Dash}{paths},
    [ "/$id/show.ism/manifest(format=mpd-time-csf)",
      "/$id/show.ism/manifest(format=mpd-time-cmaf)" ], 'DASH paths');
is_deeply($paths{SmoothStreaming}{paths}, [ "/$id/show.ism/manifest" ],
    'Smooth path');
is_deeply($r->{json}{downloadPaths}, [], 'no download paths');

$r = locator('plain1', assetName => 'plain');
$r = $t->api(POST => 'streamingLocators/plain1/listPaths');
$oa->ok('ListPathsResponse', $r, 'shape');
is_deeply($r->{json}{streamingPaths}, [],
    'an asset without media: no paths');

is($t->api(PUT => 'streamingPolicies/hlsOnly', { properties => {
    noEncryption => { enabledProtocols => { download => JSON::PP::false,
        dash => JSON::PP::false, hls => JSON::PP::true,
        smoothStreaming => JSON::PP::false } } } })->{status}, 201,
    'a custom HLS-only policy');
locator('hls1', assetName => 'rec', streamingPolicyName => 'hlsOnly');
$r = $t->api(POST => 'streamingLocators/hls1/listPaths');
is_deeply([ map { $_->{streamingProtocol} } @{$r->{json}{streamingPaths}} ],
    [ 'Hls' ], 'the policy decides the protocols');

locator('dl1', assetName => 'rec', streamingPolicyName => 'Predefined_DownloadOnly');
$r = $t->api(POST => 'streamingLocators/dl1/listPaths');
is_deeply($r->{json}{streamingPaths}, [], 'DownloadOnly: no streaming paths');

is($t->api(POST => 'streamingLocators/none/listPaths')->{status}, 404,
    'listPaths of a missing locator: 404');

$r = $t->api(POST => 'streamingLocators/loc1/listContentKeys');
is($r->{status}, 200, 'listContentKeys: 200');
$oa->ok('ListContentKeysResponse', $r, 'listContentKeys: shape');
is_deeply($r->{json}{contentKeys}, [], 'no content keys for clear');

is($t->api(POST => 'streamingLocators/loc1/bogus')->{status}, 404,
    'unknown action: 404');

# --- get, list -----------------------------------------------------------------

$r = $t->api(GET => 'streamingLocators/LOC2');
is($r->{status}, 200, 'GET (any case)');
$oa->ok('StreamingLocator', $r, 'GET: shape');

locator("many$_", assetName => 'plain') for 1 .. 8;

my @names;
$r = $t->api(GET => 'streamingLocators');
$oa->ok('StreamingLocatorCollection', $r, 'list: shape');
while (1) {
    push @names, map { $_->{name} } @{$r->{json}{value}};
    my $next = $r->{json}{'@odata.nextLink'} or last;
    $r = $t->api(GET => Sluice::ApiRes::rel($next));
}
is(scalar @names, 13, 'list: all 13 over pages');

# --- delete --------------------------------------------------------------------

is($t->api(DELETE => 'streamingPolicies/hlsOnly')->{status}, 409,
    'a policy in use cannot be deleted');
is($t->api(DELETE => 'streamingLocators/hls1')->{status}, 200,
    'DELETE: 200');
is($t->api(DELETE => 'streamingLocators/hls1')->{status}, 204,
    'DELETE again: 204');
is($t->api(DELETE => 'streamingPolicies/hlsOnly')->{status}, 200,
    'then the policy can go');

# --- persistence ---------------------------------------------------------------

my $before = $t->api(GET => 'streamingLocators/loc2')->{json};

ok(Sluice::ApiRes::kill9($t), 'kill -9');
$t->run();

is_deeply($t->api(GET => 'streamingLocators/loc2')->{json}, $before,
    'locator unchanged after kill -9');
$r = locator('dup', assetName => 'rec', streamingLocatorId => $given);
is($r->{status}, 409, 'its streamingLocatorId is still taken');
$r = $t->api(POST => 'streamingLocators/loc1/listPaths');
like($r->{json}{streamingPaths}[0]{paths}[0], qr{/$id/show\.ism/},
    'listPaths after restart');

$t->done_testing();
