#!/usr/bin/perl

# REST API: streaming locators (AMS v3 Metadata 2023-01-01): PUT (201,
# immutable), GET, list, DELETE, listPaths (the manifest name of the live
# output that recorded the asset; one entry per protocol and encryption
# scheme, AMS's paths), listContentKeys; references checked,
# caller-supplied streamingLocatorId, startTime/endTime, filters; content
# keys made or given (AMS's example), matched by label, guarded by
# existing content key policies (each refusal one case), values only in
# listContentKeys and the file (0600), never logged; persistence.

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

# the filters a locator names exist (t/082 checks the refusals)
is($t->api(PUT => 'accountFilters/f1', {})->{status}, 201, 'account filter');
is($t->api(PUT => 'assets/rec/assetFilters/f2', {})->{status}, 201,
    'asset filter');

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
    [ 400, 'BadRequest', 'encrypting policy, no content key policy',
      assetName => 'rec', streamingPolicyName => 'Predefined_ClearKey' ],
    [ 400, 'BadRequest', 'content keys with a clear policy',
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

# --- content keys ----------------------------------------------------------------

sub example {
    my ($name) = @_;
    my $f = Sluice::OpenAPI::default_dir() . "/examples/$name.json";
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    return JSON::PP::decode_json(<$fh>);
}

sub keys_of {
    my ($name) = @_;
    return $t->api(POST => "streamingLocators/$name/listContentKeys")
        ->{json}{contentKeys};
}

my $b64_16 = qr{^[A-Za-z0-9+/]{21}[AQgw]==$};
my $open = { properties => { options => [ { name => 'open',
    configuration => { '@odata.type' =>
        '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
    restriction => { '@odata.type' =>
        '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } };
is($t->api(PUT => "contentKeyPolicies/$_", $open)->{status}, 201,
    "content key policy $_") for qw(ckp ckp2 PolicyWithMultipleOptions);

# generated keys: Predefined_ClearKey

$r = locator('aes', assetName => 'rec',
    streamingPolicyName => 'Predefined_ClearKey',
    defaultContentKeyPolicyName => 'ckp');
is($r->{status}, 201, 'Predefined_ClearKey with a content key policy: 201');
$oa->ok('StreamingLocator', $r, 'shape');
my $k = $r->{json}{properties}{contentKeys};
is(scalar @$k, 1, 'one key');
like($k->[0]{id}, $uuid, 'its id: a new UUID');
is($k->[0]{type}, 'EnvelopeEncryption', 'type EnvelopeEncryption');
is($k->[0]{labelReferenceInStreamingPolicy}, 'aesDefaultKey',
    'label aesDefaultKey');
is_deeply($k->[0]{tracks}, [], 'tracks []');
ok(!exists $k->[0]{value} && !exists $k->[0]{policyName},
    'neither value nor policyName in the PUT answer');
is_deeply($t->api(GET => 'streamingLocators/aes')->{json}{properties}
    {contentKeys}, $k, 'GET: the same, no value');

$r = $t->api(POST => 'streamingLocators/aes/listContentKeys');
is($r->{status}, 200, 'listContentKeys: 200');
$oa->ok('ListContentKeysResponse', $r, 'listContentKeys: shape');
my $lk = $r->{json}{contentKeys};
is_deeply([ sort keys %{$lk->[0]} ], [ sort qw(id type value policyName
    labelReferenceInStreamingPolicy tracks) ], 'the members AMS gives');
is($lk->[0]{id}, $k->[0]{id}, 'listContentKeys: the id');
like($lk->[0]{value}, $b64_16, 'listContentKeys: a 16-byte value');
is($lk->[0]{policyName}, 'ckp', "policyName: the locator's default");

locator('aes2', assetName => 'rec', streamingPolicyName => 'Predefined_ClearKey',
    defaultContentKeyPolicyName => 'ckp');
my $lk2 = keys_of('aes2');
ok($lk2->[0]{id} ne $lk->[0]{id} && $lk2->[0]{value} ne $lk->[0]{value},
    'another locator: another key');

my $aid = $t->api(GET => 'streamingLocators/aes')->{json}{properties}
    {streamingLocatorId};
$r = $t->api(POST => 'streamingLocators/aes/listPaths');
$oa->ok('ListPathsResponse', $r, 'listPaths: shape');
is_deeply($r->{json}{streamingPaths}, [
    { streamingProtocol => 'Hls', encryptionScheme => 'EnvelopeEncryption',
      paths => [ "/$aid/show.ism/manifest(format=m3u8-aapl,encryption=cbc)",
                 "/$aid/show.ism/manifest(format=m3u8-cmaf,encryption=cbc)" ] },
    { streamingProtocol => 'Dash', encryptionScheme => 'EnvelopeEncryption',
      paths => [ "/$aid/show.ism/manifest(format=mpd-time-csf,encryption=cbc)",
                 "/$aid/show.ism/manifest(format=mpd-time-cmaf,encryption=cbc)" ]
    },
    { streamingProtocol => 'SmoothStreaming',
      encryptionScheme => 'EnvelopeEncryption',
      paths => [ "/$aid/show.ism/manifest(encryption=cbc)" ] } ],
    'listPaths: the envelope paths');

# given keys: the AMS example, with the AMS secure-streaming policy

is($t->api(PUT => 'streamingPolicies/secureStreamingPolicy',
    example('streaming-policies-create-secure-streaming')->{parameters}
    {parameters})->{status}, 201, 'the AMS secure streaming policy');

my $ex = example('streaming-locators-create-secure-userDefinedContentKeys');
my $body = $ex->{parameters}{parameters};
$body->{properties}{assetName} = 'rec';
$r = $t->api(PUT => 'streamingLocators/ams', $body);
is($r->{status}, 201, 'the AMS user-defined keys example: 201');
$oa->ok('StreamingLocator', $r, 'shape');
is_deeply($r->{json}{properties}{contentKeys},
    $ex->{responses}{201}{body}{properties}{contentKeys},
    'contentKeys as AMS answers them (CBCS, CENC, envelope; no values)');
my $amsid = $r->{json}{properties}{streamingLocatorId};
is($amsid, '90000000-0000-0000-0000-00000000000a',
    'streamingLocatorId lowercased');

is_deeply([ map { [ @$_{qw(labelReferenceInStreamingPolicy type id value
    policyName)} ] } @{keys_of('ams')} ], [
    [ 'aesDefaultKey', 'EnvelopeEncryption',
      '60000000-0000-0000-0000-000000000001', '1UqLohAfWsEGkULYxHjYZg==',
      'PolicyWithMultipleOptions' ],
    [ 'cencDefaultKey', 'CommonEncryptionCenc',
      '60000000-0000-0000-0000-000000000004', '4UqLohAfWsEGkULYxHjYZg==',
      'PolicyWithMultipleOptions' ],
    [ 'cbcsDefaultKey', 'CommonEncryptionCbcs',
      '60000000-0000-0000-0000-000000000007', '7UqLohAfWsEGkULYxHjYZg==',
      'PolicyWithMultipleOptions' ] ],
    "listContentKeys: the given ids and values, in AMS's order, with the "
    . "policy's default content key policy");
our $ams_keys = $t->api(POST => 'streamingLocators/ams/listContentKeys')
    ->{json};
our $ams_get = $t->api(GET => 'streamingLocators/ams')->{json};

my $lp = example('streaming-locators-list-paths-streaming-only')
    ->{responses}{200}{body}{streamingPaths};
$r = $t->api(POST => 'streamingLocators/ams/listPaths');
$oa->ok('ListPathsResponse', $r, 'listPaths: shape');
is_deeply([ map { [ $_->{streamingProtocol}, $_->{encryptionScheme},
    $_->{paths}[0] ] } @{$r->{json}{streamingPaths}} ],
    [ map { my $p = $_->{paths}[0];
            $p =~ s{^/[^/]+/videoManifest1\.ism/}{/$amsid/show.ism/};
            [ $_->{streamingProtocol}, $_->{encryptionScheme}, $p ] } @$lp ],
    "listPaths: AMS's entries in AMS's order, each with AMS's path first");
is_deeply([ map { @{$_->{paths}}[1 .. $#{$_->{paths}}] }
    @{$r->{json}{streamingPaths}} ],
    [ map { "/$amsid/show.ism/manifest($_)" }
      'format=m3u8-cmaf,encryption=cbc', 'format=mpd-time-cmaf,encryption=cbc',
      'format=mpd-time-cmaf,encryption=cenc',
      'format=m3u8-cmaf,encryption=cbcs-aapl' ],
    'and the CMAF variants');

my $kid1 = '1A2B3C4D-0000-4000-8000-00000000000B';
$r = locator('onekey', assetName => 'rec',
    streamingPolicyName => 'Predefined_MultiDrmCencStreaming',
    defaultContentKeyPolicyName => 'ckp', contentKeys => [ { id => $kid1 } ]);
is($r->{status}, 201, 'one key given, without label: the only key');
$lk = keys_of('onekey');
is($lk->[0]{id}, lc $kid1, 'its id, lowercased');
like($lk->[0]{value}, $b64_16, 'its value made');
is($lk->[0]{labelReferenceInStreamingPolicy}, 'cencDefaultKey',
    'label cencDefaultKey');

$r = locator('partial', assetName => 'rec',
    streamingPolicyName => 'secureStreamingPolicy', contentKeys => [ {
        labelReferenceInStreamingPolicy => 'cbcsDefaultKey',
        id => '1a2b3c4d-0000-4000-8000-00000000000c' } ]);
is($r->{status}, 201, 'some keys given');
$lk = keys_of('partial');
is(scalar @$lk, 3, 'the others made');
is($lk->[2]{id}, '1a2b3c4d-0000-4000-8000-00000000000c', 'the given id');

# keyToTrackMappings: one key per mapping, with its content key policy

my $fourcc = sub { { trackSelections => [ { property => 'FourCC',
    operation => 'Equal', value => $_[0] } ] } };
my $yes = JSON::PP::true;
my $no = JSON::PP::false;
is($t->api(PUT => 'streamingPolicies/mapped', { properties => {
    commonEncryptionCenc => { enabledProtocols => { download => $no,
            dash => $yes, hls => $no, smoothStreaming => $no },
        contentKeys => { defaultKey => { label => 'video' },
            keyToTrackMappings => [ { label => 'audio', policyName => 'ckp2',
                tracks => [ $fourcc->('mp4a') ] } ] } },
    commonEncryptionCbcs => { enabledProtocols => { download => $no,
            dash => $no, hls => $yes, smoothStreaming => $no },
        contentKeys => { defaultKey => { label => 'fp' } } } } })->{status},
    201, 'a policy with a keyToTrackMapping');
$r = locator('mapped1', assetName => 'rec', streamingPolicyName => 'mapped',
    defaultContentKeyPolicyName => 'ckp');
is($r->{status}, 201, 'its locator');
is_deeply([ map { $_->{labelReferenceInStreamingPolicy} }
    @{$r->{json}{properties}{contentKeys}} ], [ qw(fp video audio) ],
    'GET order: CBCS, then CENC keys');
is_deeply([ map { [ @$_{qw(labelReferenceInStreamingPolicy type policyName)},
    $_->{tracks} ] } @{keys_of('mapped1')} ], [
    [ 'video', 'CommonEncryptionCenc', 'ckp', [] ],
    [ 'audio', 'CommonEncryptionCenc', 'ckp2', [ $fourcc->('mp4a') ] ],
    [ 'fp', 'CommonEncryptionCbcs', 'ckp', [] ] ],
    "listContentKeys: the mapping's key, its tracks and content key policy");
$r = $t->api(POST => 'streamingLocators/mapped1/listPaths');
is_deeply([ map { "$_->{streamingProtocol} $_->{encryptionScheme}" }
    @{$r->{json}{streamingPaths}} ],
    [ 'Dash CommonEncryptionCenc', 'Hls CommonEncryptionCbcs' ],
    'listPaths: Dash CENC, Hls CBCS');

is($t->api(PUT => 'streamingPolicies/mappedGone', { properties => {
    commonEncryptionCenc => { enabledProtocols => { download => $no,
            dash => $yes, hls => $no, smoothStreaming => $no },
        contentKeys => { keyToTrackMappings => [ { label => 'audio',
            policyName => 'gone', tracks => [ $fourcc->('mp4a') ] } ] } }
    } })->{status}, 201, 'a mapping naming a missing content key policy');

my $kid9 = '1a2b3c4d-0000-4000-8000-000000000009';
my @kbad = (
    [ 400, 'unknown label', 'secureStreamingPolicy',
      [ { labelReferenceInStreamingPolicy => 'nope', id => $kid9 } ] ],
    [ 400, 'a label given twice', 'secureStreamingPolicy',
      [ { labelReferenceInStreamingPolicy => 'aesDefaultKey', id => $kid9 },
        { labelReferenceInStreamingPolicy => 'aesDefaultKey',
          id => '1a2b3c4d-0000-4000-8000-00000000000a' } ] ],
    [ 400, 'no label, several keys', 'secureStreamingPolicy',
      [ { id => $kid9 } ] ],
    [ 400, 'label not a string', 'Predefined_ClearKey',
      [ { labelReferenceInStreamingPolicy => 1, id => $kid9 } ] ],
    [ 400, 'id missing', 'Predefined_ClearKey',
      [ { labelReferenceInStreamingPolicy => 'aesDefaultKey' } ] ],
    [ 400, 'id not a UUID', 'Predefined_ClearKey', [ { id => 'key-1' } ] ],
    [ 400, 'value not base64', 'Predefined_ClearKey',
      [ { id => $kid9, value => '!!!!' } ] ],
    [ 400, 'value of 15 bytes', 'Predefined_ClearKey',
      [ { id => $kid9, value => 'AAAAAAAAAAAAAAAAAAAA' } ] ],
    [ 400, 'value of 32 bytes', 'Predefined_ClearKey',
      [ { id => $kid9, value => 'A' x 43 . '=' } ] ],
    [ 400, 'value not a string', 'Predefined_ClearKey',
      [ { id => $kid9, value => 16 } ] ],
    [ 400, 'two keys with one id', 'secureStreamingPolicy',
      [ { labelReferenceInStreamingPolicy => 'aesDefaultKey', id => $kid9 },
        { labelReferenceInStreamingPolicy => 'cencDefaultKey',
          id => uc $kid9 } ] ],
    [ 400, 'contentKeys not an array', 'Predefined_ClearKey',
      { id => $kid9 } ],
    [ 400, 'an entry not an object', 'Predefined_ClearKey', [ 'key' ] ],
    [ 400, 'content key policy missing', 'Predefined_ClearKey', undef,
      defaultContentKeyPolicyName => 'nope' ],
    [ 400, "a mapping's content key policy missing", 'mappedGone', undef ],
    [ 409, 'an id another locator uses with another value',
      'Predefined_ClearKey', [ { id => $kid1,
        value => 'AAAAAAAAAAAAAAAAAAAAAA==' } ] ],
);

for my $b (@kbad) {
    my ($status, $what, $policy, $keys, %more) = @$b;
    $r = locator('badkeys', assetName => 'rec', streamingPolicyName => $policy,
        defaultContentKeyPolicyName => 'ckp', %more,
        defined $keys ? (contentKeys => $keys) : ());
    is($r->{status}, $status, "$what: $status");
    is(code($r), $status == 409 ? 'Conflict' : 'BadRequest',
        "$what: error code");
}
is($t->api(GET => 'streamingLocators/badkeys')->{status}, 404,
    'refused ones not created');

$r = locator('sharedkey', assetName => 'rec',
    streamingPolicyName => 'Predefined_ClearKey', defaultContentKeyPolicyName =>
    'ckp', contentKeys => [ { id => '60000000-0000-0000-0000-000000000001',
        value => '1UqLohAfWsEGkULYxHjYZg==' } ]);
is($r->{status}, 201, 'an id another locator uses with the same value: 201');
is($t->api(DELETE => 'streamingLocators/sharedkey')->{status}, 200,
    'deleted');

# a content key policy a key uses stays

$r = $t->api(DELETE => 'contentKeyPolicies/ckp2');
is($r->{status}, 409, 'a content key policy a key uses cannot be deleted');
like($r->{json}{error}{message}, qr/mapped1/, 'the message names the locator');
is($t->api(DELETE => 'streamingLocators/mapped1')->{status}, 200,
    'its locator deleted');
is($t->api(DELETE => 'contentKeyPolicies/ckp2')->{status}, 200,
    'then it can go');

# the file keeps the values, readable by the nginx user only

my $file = $t->testdir() . '/data/api/streamingLocators/ams.json';
is((stat $file)[2] & 07777, 0600, 'locator file mode 0600');
like($t->read_file('data/api/streamingLocators/ams.json'),
    qr/1UqLohAfWsEGkULYxHjYZg==/, 'the file holds the values');
my @values = map { $_->{value} } map { @{keys_of($_)} } qw(aes aes2 ams
    onekey partial);
is(scalar(grep { index($t->error_log(), $_) >= 0 } @values), 0,
    'no key value in error.log');

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
is(scalar @names, 13 + 5, 'list: all 18 over pages');

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
is_deeply($t->api(POST => 'streamingLocators/ams/listContentKeys')->{json},
    $ams_keys, 'content keys (values) unchanged after kill -9');
is_deeply($t->api(GET => 'streamingLocators/ams')->{json}, $ams_get,
    'encrypted locator unchanged after kill -9');
$r = locator('sameid', assetName => 'rec',
    streamingPolicyName => 'Predefined_ClearKey',
    defaultContentKeyPolicyName => 'ckp', contentKeys => [ { id => $kid1,
        value => 'AAAAAAAAAAAAAAAAAAAAAA==' } ]);
is($r->{status}, 409, 'its key ids are still taken');
$r = locator('dup', assetName => 'rec', streamingLocatorId => $given);
is($r->{status}, 409, 'its streamingLocatorId is still taken');
$r = $t->api(POST => 'streamingLocators/loc1/listPaths');
like($r->{json}{streamingPaths}[0]{paths}[0], qr{/$id/show\.ism/},
    'listPaths after restart');

$t->done_testing();
