#!/usr/bin/perl

# REST API: streaming policies (AMS v3 Metadata 2023-01-01): the six
# predefined ones listed and readable, never changed or deleted; custom
# ones created (201), validated (encryption blocks structurally), not
# updatable, deleted (200/204), persisted.

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

my $secure = decode_json(do {
    local $/;
    my $f = Sluice::OpenAPI::default_dir()
        . '/examples/streaming-policies-create-secure-streaming.json';
    open my $fh, '<', $f or die "$f: $!";
    <$fh>;
})->{parameters}{parameters};

$r = $t->api(PUT => 'streamingPolicies/secure', $secure);
is($r->{status}, 201, 'the AMS secure-streaming example: 201');
$oa->ok('StreamingPolicy', $r, 'shape');
is_deeply($r->{json}{properties}{commonEncryptionCbcs},
    $secure->{properties}{commonEncryptionCbcs}, 'encryption blocks stored');
is($r->{json}{properties}{defaultContentKeyPolicyName},
    $secure->{properties}{defaultContentKeyPolicyName},
    'defaultContentKeyPolicyName');

my @bad = (
    [ {}, 'no scheme' ],
    [ { noEncryption => {} }, 'enabledProtocols missing' ],
    [ { noEncryption => { enabledProtocols => { hls => $T } } },
      'protocols incomplete' ],
    [ { noEncryption => { enabledProtocols => protocols(0, 0, 0, 0) } },
      'no protocol enabled' ],
    [ { noEncryption => { enabledProtocols => protocols(0, 1, 1, 1) },
        envelopeEncryption => {} }, 'clear and encrypted' ],
    [ { envelopeEncryption => { clearTracks => [ { trackSelections =>
        [ { property => 'Bitrate', operation => 'Equal' } ] } ] } },
      'bad track property' ],
    [ { commonEncryptionCbcs => { drm => { fairPlay => {} } } },
      'fairPlay.allowPersistentLicense missing' ],
    [ { commonEncryptionCenc => { contentKeys => { defaultKey =>
        { label => 5 } } } }, 'key label not a string' ],
    [ { envelopeEncryption => 'yes' }, 'scheme not an object' ],
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
is(code($r), 'NotSupported', 'a locator with an encrypting policy: refused');

# --- list, delete, persistence ---------------------------------------------------

$r = $t->api(GET => 'streamingPolicies');
is(scalar @{$r->{json}{value}}, 8, 'list: 6 predefined + 2 custom');

$t->stop();
$t->run();

$r = $t->api(GET => 'streamingPolicies');
is(scalar @{$r->{json}{value}}, 8, 'after restart: still 8');
is_deeply($t->api(GET => 'streamingPolicies/secure')->{json}{properties}
    {commonEncryptionCbcs}, $secure->{properties}{commonEncryptionCbcs},
    'custom policy after restart');
opendir my $dh, $t->testdir() . '/data/api/streamingPolicies' or die;
is_deeply([ sort grep { !/^\./ } readdir $dh ], [ 'clear.json', 'secure.json' ],
    'only custom policies are saved');
closedir $dh;

is($t->api(DELETE => 'streamingPolicies/secure')->{status}, 200,
    'DELETE: 200');
is($t->api(DELETE => 'streamingPolicies/secure')->{status}, 204,
    'DELETE again: 204');
is($t->api(GET => 'streamingPolicies/secure')->{status}, 404, 'gone');

$t->done_testing();
