#!/usr/bin/perl

# REST API: streaming policies (AMS v3 Metadata 2023-01-01): the six
# predefined ones listed and readable (with their key labels), never
# changed or deleted; custom ones created (201) and echoed as AMS does
# (every AMS example), validated (track selections by FourCC, content
# keys, DRM settings: each refusal one case), not updatable, deleted
# (200/204), persisted.

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

my ($T, $F) = (JSON::PP::true, JSON::PP::false);

sub code { Sluice::ApiRes::code(@_) }

sub protocols {
    my ($d, $da, $h, $s) = @_;
    return { download => $d ? $T : $F, dash => $da ? $T : $F,
             hls => $h ? $T : $F, smoothStreaming => $s ? $T : $F };
}

my @predefined = qw(Predefined_ClearKey Predefined_ClearStreamingOnly
    Predefined_DownloadAndClearStreaming Predefined_DownloadOnly
    Predefined_MultiDrmCencStreaming Predefined_MultiDrmStreaming);

# --- predefined -------------------------------------------------------------

my $r = $t->api(GET => 'streamingPolicies');
is($r->{status}, 200, 'list: 200');
$oa->ok('StreamingPolicyCollection', $r, 'list: shape');
is_deeply([ map { $_->{name} } @{$r->{json}{value}} ], \@predefined,
    'the six predefined policies');

for my $name (@predefined) {
    $r = $t->api(GET => "streamingPolicies/$name");
    is($r->{status}, 200, "$name: GET");
    $oa->ok('StreamingPolicy', $r, "$name: shape");
}

my %expect = (
    Predefined_DownloadOnly => [ 'noEncryption', protocols(1, 0, 0, 0) ],
    Predefined_ClearStreamingOnly => [ 'noEncryption', protocols(0, 1, 1, 1) ],
    Predefined_DownloadAndClearStreaming =>
        [ 'noEncryption', protocols(1, 1, 1, 1) ],
    Predefined_ClearKey => [ 'envelopeEncryption', protocols(0, 1, 1, 1) ],
    Predefined_MultiDrmCencStreaming =>
        [ 'commonEncryptionCenc', protocols(0, 1, 0, 1) ],
    Predefined_MultiDrmStreaming =>
        [ 'commonEncryptionCbcs', protocols(0, 0, 1, 0) ],
);

for my $name (sort keys %expect) {
    my $p = $t->api(GET => "streamingPolicies/$name")->{json}{properties};
    my ($scheme, $prot) = @{$expect{$name}};
    is_deeply($p->{$scheme}{enabledProtocols}, $prot,
        "$name: $scheme protocols as AMS gives them");
}

ok($t->api(GET => 'streamingPolicies/Predefined_MultiDrmStreaming')
    ->{json}{properties}{commonEncryptionCenc}, 'MultiDrm: CENC too');

my %labels = (
    Predefined_ClearKey => { envelopeEncryption => 'aesDefaultKey' },
    Predefined_MultiDrmCencStreaming =>
        { commonEncryptionCenc => 'cencDefaultKey' },
    Predefined_MultiDrmStreaming => { commonEncryptionCenc => 'cencDefaultKey',
        commonEncryptionCbcs => 'cbcsDefaultKey' },
);

for my $name (sort keys %labels) {
    my $p = $t->api(GET => "streamingPolicies/$name")->{json}{properties};
    for my $scheme (sort keys %{$labels{$name}}) {
        is_deeply($p->{$scheme}{contentKeys}, { defaultKey =>
            { label => $labels{$name}{$scheme} }, keyToTrackMappings => [] },
            "$name: $scheme key label $labels{$name}{$scheme}");
        is_deeply($p->{$scheme}{clearTracks}, [], "$name: clearTracks []");
    }
}
is_deeply($t->api(GET => 'streamingPolicies/Predefined_MultiDrmStreaming')
    ->{json}{properties}{commonEncryptionCenc}{drm},
    { playReady => {}, widevine => {} }, 'MultiDrm: PlayReady and Widevine');
is_deeply($t->api(GET => 'streamingPolicies/Predefined_MultiDrmStreaming')
    ->{json}{properties}{commonEncryptionCbcs}{drm},
    { fairPlay => { allowPersistentLicense => $F } }, 'MultiDrm: FairPlay');

$r = $t->api(PUT => 'streamingPolicies/Predefined_ClearStreamingOnly',
    { properties => { noEncryption => { enabledProtocols =>
        protocols(1, 1, 1, 1) } } });
is($r->{status}, 400, 'a predefined policy cannot be changed');
like($r->{json}{error}{message}, qr/predefined/, 'message says why');

$r = $t->api(DELETE => 'streamingPolicies/Predefined_DownloadOnly');
is($r->{status}, 400, 'a predefined policy cannot be deleted');
is($t->api(GET => 'streamingPolicies/Predefined_DownloadOnly')->{status},
    200, 'still there');

# --- custom ----------------------------------------------------------------

$r = $t->api(PUT => 'streamingPolicies/clear',
    { properties => { noEncryption => { enabledProtocols =>
        protocols(0, 1, 1, 0) } } });
is($r->{status}, 201, 'custom clear policy: 201');
$oa->ok('StreamingPolicy', $r, 'shape');
is($r->{json}{type}, 'Microsoft.Media/mediaservices/streamingPolicies',
    'type');
like($r->{json}{properties}{created}, qr/^\d{4}-\d\d-\d\dT/, 'created');

sub example {
    my ($name) = @_;
    my $f = Sluice::OpenAPI::default_dir() . "/examples/$name.json";
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    return decode_json(<$fh>);
}

# every AMS creation example: 201 and the very properties AMS answers

for my $ex (qw(clear commonEncryptionCbcs-clearKeyEncryption
               commonEncryptionCbcs-only commonEncryptionCenc-clearKeyEncryption
               commonEncryptionCenc-only envelopeEncryption-only
               secure-streaming))
{
    my $d = example("streaming-policies-create-$ex");
    my $want = $d->{responses}{201}{body}{properties};
    delete $want->{created};

    # the AMS example answers a template with a brace the request lacks
    my $cenc = $d->{parameters}{parameters}{properties}{commonEncryptionCenc};
    $want->{commonEncryptionCenc}{drm}{widevine} = $cenc->{drm}{widevine}
        if $cenc && $cenc->{drm} && $cenc->{drm}{widevine};

    $r = $t->api(PUT => "streamingPolicies/ex-$ex", $d->{parameters}{parameters});
    is($r->{status}, 201, "AMS example $ex: 201");
    $oa->ok('StreamingPolicy', $r, "$ex: shape");
    my $got = { %{$r->{json}{properties} // {}} };
    like(delete $got->{created} // '', qr/^\d{4}-/, "$ex: created");
    is_deeply($got, $want, "$ex: properties as AMS answers them");
}

my $secure = example('streaming-policies-create-secure-streaming')
    ->{parameters}{parameters};

$r = $t->api(PUT => 'streamingPolicies/secure', $secure);
is($r->{status}, 201, 'the AMS secure-streaming example: 201');
is($r->{json}{properties}{defaultContentKeyPolicyName},
    $secure->{properties}{defaultContentKeyPolicyName},
    'defaultContentKeyPolicyName');

my $fourcc = sub { { trackSelections => [ { property => 'FourCC',
    operation => 'Equal', value => $_[0] } ] } };

$r = $t->api(PUT => 'streamingPolicies/mapped', { properties => {
    commonEncryptionCenc => { enabledProtocols => protocols(0, 1, 0, 0),
        clearTracks => [ $fourcc->('hev1') ],
        contentKeys => { keyToTrackMappings => [ { label => 'audio',
            policyName => 'p2', tracks => [ $fourcc->('mp4a') ] } ] },
        unknownMember => 1 } } });
is($r->{status}, 201, 'keyToTrackMappings, no default label: 201');
is_deeply($r->{json}{properties}{commonEncryptionCenc}, {
    enabledProtocols => protocols(0, 1, 0, 0),
    clearTracks => [ $fourcc->('hev1') ],
    contentKeys => { defaultKey => {}, keyToTrackMappings => [ { label =>
        'audio', policyName => 'p2', tracks => [ $fourcc->('mp4a') ] } ] } },
    'stored as AMS echoes it, unknown members dropped');

my $cenc = sub { { commonEncryptionCenc => { enabledProtocols =>
    protocols(0, 1, 0, 0), %{$_[0]} } } };
my $cbcs = sub { { commonEncryptionCbcs => { enabledProtocols =>
    protocols(0, 0, 1, 0), %{$_[0]} } } };
my $maps = sub { $cenc->({ contentKeys => { keyToTrackMappings => [ @_ ] } }) };
my $cond = sub { $cenc->({ clearTracks => [ { trackSelections => [ @_ ] } ] }) };

my @bad = (
    [ {}, 'no scheme' ],
    [ { noEncryption => {} }, 'enabledProtocols missing' ],
    [ { noEncryption => { enabledProtocols => { hls => $T } } },
      'protocols incomplete' ],
    [ { noEncryption => { enabledProtocols => protocols(0, 0, 0, 0) } },
      'no protocol enabled' ],
    [ { noEncryption => { enabledProtocols => protocols(0, 1, 1, 1) },
        envelopeEncryption => {} }, 'clear and encrypted' ],
    [ { envelopeEncryption => 'yes' }, 'scheme not an object' ],
    [ $cond->({ property => 'Bitrate', operation => 'Equal', value => '1' }),
      'track property other than FourCC' ],
    [ $cond->({ property => 'Unknown', operation => 'Equal', value => 'avc1' }),
      'track property Unknown' ],
    [ $cond->({ property => 'FourCC', operation => 'Unknown', value => 'avc1' }),
      'track operation Unknown' ],
    [ $cond->({ property => 'FourCC', operation => 'Equal', value => 'avc' }),
      'FourCC of 3 characters' ],
    [ $cond->({ property => 'FourCC', operation => 'Equal', value => 'avc1' },
              { property => 'FourCC', operation => 'Equal', value => 'hev1' }),
      'two conditions in one selection' ],
    [ $cenc->({ clearTracks => [ map { $fourcc->("tr$_\_") } 1 .. 5 ] }),
      'more than 4 clear FourCCs' ],
    [ $cenc->({ clearTracks => { trackSelections => [] } }),
      'clearTracks not an array' ],
    [ $cenc->({ contentKeys => { defaultKey => { label => 5 } } }),
      'key label not a string' ],
    [ $cenc->({ contentKeys => { defaultKey => { policyName => [] } } }),
      'key policyName not a string' ],
    [ $cenc->({ contentKeys => 'keys' }), 'contentKeys not an object' ],
    [ $maps->({ tracks => [ $fourcc->('avc1') ] }), 'mapping without label' ],
    [ $maps->({ label => 'v' }), 'mapping without tracks' ],
    [ $maps->({ label => 'cencDefaultKey', tracks => [ $fourcc->('avc1') ] }),
      'a label used twice' ],
    [ $maps->(map { { label => "k$_", tracks => [ $fourcc->("tr$_\_") ] } }
              1 .. 8), 'more than 8 keys' ],
    [ $cbcs->({ enabledProtocols => protocols(0, 0, 1, 1) }),
      'cbcs with smoothStreaming' ],
    [ { envelopeEncryption => { drm => { widevine => {} } } },
      'drm in envelopeEncryption' ],
    [ { envelopeEncryption => { clearKeyEncryptionConfiguration => {} } },
      'clearKeyEncryptionConfiguration in envelopeEncryption' ],
    [ $cenc->({ drm => { fairPlay => { allowPersistentLicense => $F } } }),
      'fairPlay in commonEncryptionCenc' ],
    [ $cenc->({ drm => { marlin => {} } }), 'an unknown DRM' ],
    [ $cbcs->({ drm => { fairPlay => {} } }),
      'fairPlay.allowPersistentLicense missing' ],
    [ $cbcs->({ drm => { fairPlay => { allowPersistentLicense => 'yes' } } }),
      'fairPlay.allowPersistentLicense not a boolean' ],
    [ $cenc->({ drm => { playReady => { playReadyCustomAttributes => 1 } } }),
      'playReadyCustomAttributes not a string' ],
    [ $cenc->({ drm => { widevine =>
        { customLicenseAcquisitionUrlTemplate => 'x' x 2049 } } }),
      'template too long' ],
    [ $cenc->({ clearKeyEncryptionConfiguration =>
        { customKeysAcquisitionUrlTemplate => {} } }),
      'customKeysAcquisitionUrlTemplate not a string' ],
    [ { envelopeEncryption => { customKeyAcquisitionUrlTemplate => 7 } },
      'customKeyAcquisitionUrlTemplate not a string' ],
);

for my $b (@bad) {
    $r = $t->api(PUT => 'streamingPolicies/bad', { properties => $b->[0] });
    is($r->{status}, 400, "$b->[1]: 400");
    $oa->ok('ErrorResponse', $r, "$b->[1]: error shape");
}

is($t->api(PUT => 'streamingPolicies/bad', 'null')->{status}, 400,
    'body null: 400');
is($t->api(GET => 'streamingPolicies/bad')->{status}, 404,
    'refused ones not created');

$r = $t->api(PUT => 'streamingPolicies/clear',
    { properties => { noEncryption => { enabledProtocols =>
        protocols(1, 1, 1, 1) } } });
is($r->{status}, 409, 'custom policy: second PUT 409');

# a locator needs a clear policy

$t->api(PUT => 'assets/a1', { properties => {} });
is($t->api(PUT => 'streamingLocators/l1', { properties => { assetName => 'a1',
    streamingPolicyName => 'clear' } })->{status}, 201,
    'a locator with the custom clear policy');
$r = $t->api(PUT => 'streamingLocators/l2', { properties => { assetName => 'a1',
    streamingPolicyName => 'secure' } });
is($r->{status}, 400, 'an encrypting policy whose content key policy is '
    . 'missing: 400');
like($r->{json}{error}{message}, qr/PolicyWithMultipleOptions/,
    'the message names it');

# --- list, delete, persistence ---------------------------------------------------

my $stored = $t->api(GET => 'streamingPolicies/secure')->{json};

sub count_all {
    my $r = $t->api(GET => 'streamingPolicies');
    my $n = 0;
    while (1) {
        $n += scalar @{$r->{json}{value} // []};
        my $next = $r->{json}{'@odata.nextLink'} or last;
        $r = $t->api(GET => Sluice::ApiRes::rel($next));
    }
    return $n;
}

my $n = count_all();
is($n, 6 + 10, 'list: 6 predefined + 10 custom');

$t->stop();
$t->run();

is(count_all(), $n, 'after restart: as many');
is_deeply($t->api(GET => 'streamingPolicies/secure')->{json}, $stored,
    'custom policy after restart');
opendir my $dh, $t->testdir() . '/data/api/streamingPolicies' or die;
is(scalar(grep { /\.json$/ } readdir $dh), $n - 6,
    'only custom policies are saved');
closedir $dh;

is($t->api(DELETE => 'streamingPolicies/secure')->{status}, 200,
    'DELETE: 200');
is($t->api(DELETE => 'streamingPolicies/secure')->{status}, 204,
    'DELETE again: 204');
is($t->api(GET => 'streamingPolicies/secure')->{status}, 404, 'gone');

$t->done_testing();
