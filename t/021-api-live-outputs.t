#!/usr/bin/perl

# REST API: live outputs (AMS v3 Streaming 2022-11-01) as long-running
# operations; their rules (asset exists and records once, windows,
# manifestName, 3 per event / 1 for PassthroughBasic), and the live event
# rules that involve them (stop refused unless removeOutputsOnStop, reset
# and delete remove them, assets and locators survive); timed
# transitions; persistence.

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

my $uuid = qr/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

sub code { Sluice::ApiRes::code(@_) }

sub event {
    my ($name, %o) = @_;
    my $r = $t->api(PUT => "liveEvents/$name", {
        location => 'here',
        properties => {
            input => { streamingProtocol => 'RTMP' },
            ($o{basic} ? (encoding => { encodingType => 'PassthroughBasic' })
                       : ()),
        },
    }, ($o{start} ? (query => 'autoStart=true') : ()));
    return $r->{status};
}

sub asset {
    return $t->api(PUT => "assets/$_[0]", { properties => {} })->{status};
}

sub output {
    my ($event, $name, %props) = @_;
    return $t->api(PUT => "liveEvents/$event/liveOutputs/$name",
        { properties => { archiveWindowLength => 'PT5M', %props } });
}

is(event('ev1'), 201, 'live event ev1');
is(event('basic', basic => 1), 201, 'live event basic (PassthroughBasic)');
is(asset("a$_"), 201, "asset a$_") for 1 .. 8;

# --- create -------------------------------------------------------------

my $r = output('ev1', 'out1', assetName => 'a1', rewindWindowLength => 'PT4M',
    description => 'first', hls => { fragmentsPerTsSegment => 3 },
    outputSnapTime => 1000);
is($r->{status}, 201, 'create: 201');
$oa->ok('LiveOutput', $r, 'create: shape');

my $o = $r->{json};
is($o->{name}, 'out1', 'name');
like($o->{id}, qr{/mediaservices/local/liveevents/ev1/liveoutputs/out1$},
    'id');
is($o->{type}, 'Microsoft.Media/mediaservices/liveevents/liveoutputs',
    'type');
is($o->{properties}{assetName}, 'a1', 'assetName');
is($o->{properties}{archiveWindowLength}, 'PT5M', 'archiveWindowLength');
is($o->{properties}{rewindWindowLength}, 'PT4M', 'rewindWindowLength');
is($o->{properties}{manifestName}, 'a1', 'manifestName from the asset');
is($o->{properties}{hls}{fragmentsPerTsSegment}, 3, 'fragmentsPerTsSegment');
is($o->{properties}{outputSnapTime}, 1000, 'outputSnapTime');
is($o->{properties}{description}, 'first', 'description');
is($o->{properties}{resourceState}, 'Running', 'resourceState Running');
is($o->{properties}{provisioningState}, 'Succeeded', 'provisioningState');

like($r->{headers}{'azure-asyncoperation'} // '',
    qr{^http://[^/]+/subscriptions/.*/mediaservices/local/liveOutputOperations/$uuid\?api-version=2022-08-01$},
    'Azure-AsyncOperation');
like($r->{headers}{location} // '',
    qr{^http://[^/]+/subscriptions/.*/liveEvents/ev1/liveOutputs/out1/operationLocations/$uuid\?api-version=2022-08-01$},
    'Location');

my $op = $t->api(GET => Sluice::ApiRes::rel($r->{headers}{'azure-asyncoperation'}));
is($op->{status}, 200, 'liveOutputOperations: 200');
$oa->ok('AsyncOperationResult', $op, 'liveOutputOperations: shape');
is($op->{json}{status}, 'Succeeded', 'operation Succeeded');

my $loc = $t->api(GET => Sluice::ApiRes::rel($r->{headers}{location}));
is($loc->{status}, 200, 'operationLocations: 200');
$oa->ok('LiveOutput', $loc, 'operationLocations: shape');

is($t->api(GET => 'liveOutputOperations/00000000-0000-4000-8000-000000000000')
    ->{status}, 404, 'unknown operation: 404');
is($t->api(GET => 'liveEventOperations/'
    . ($r->{headers}{'azure-asyncoperation'} =~ /($uuid)/)[0])->{status},
    404, 'a live output operation is not a live event operation');

$r = output('ev1', 'out2', assetName => 'a2', manifestName => 'my.manifest');
is($r->{status}, 201, 'second output');
is($r->{json}{properties}{manifestName}, 'my.manifest', 'manifestName kept');
is($r->{json}{properties}{rewindWindowLength}, undef,
    'no rewindWindowLength: null');

$r = $t->api(GET => 'liveEvents/ev1/liveOutputs/out1');
is($r->{status}, 200, 'GET');
$oa->ok('LiveOutput', $r, 'GET: shape');

$r = $t->api(GET => 'liveEvents/ev1/liveOutputs');
is($r->{status}, 200, 'list');
$oa->ok('LiveOutputListResult', $r, 'list: shape');
is_deeply([ map { $_->{name} } @{$r->{json}{value}} ], [ 'out1', 'out2' ],
    'list: both');
is_deeply($t->api(GET => 'liveEvents/basic/liveOutputs')->{json}{value}, [],
    'list of another event: empty');
is($t->api(GET => 'liveEvents/none/liveOutputs')->{status}, 404,
    'list of a missing event: 404');

# --- refusals -------------------------------------------------------------

my @bad = (
    [ { assetName => 'a3', archiveWindowLength => undef }, 'archive missing' ],
    [ { assetName => 'a3', archiveWindowLength => 'PT59S' }, 'archive < PT1M' ],
    [ { assetName => 'a3', archiveWindowLength => 'PT25H1S' },
      'archive > PT25H' ],
    [ { assetName => 'a3', archiveWindowLength => '5 minutes' },
      'archive not a duration' ],
    [ { assetName => 'a3', rewindWindowLength => 'PT30S' }, 'rewind < PT1M' ],
    [ { assetName => 'a3', rewindWindowLength => 'PT6M' },
      'rewind > archive' ],
    [ { assetName => 'a3', manifestName => 'a/b' }, 'bad manifestName' ],
    [ { assetName => 'a3', hls => { fragmentsPerTsSegment => 0 } },
      'fragmentsPerTsSegment 0' ],
    [ { assetName => 'a3', outputSnapTime => -1 }, 'negative outputSnapTime' ],
    [ { }, 'assetName missing' ],
    [ { assetName => 'nope' }, 'asset missing' ],
    [ { assetName => 'a1' }, 'asset already recorded' ],
);

for my $b (@bad) {
    my %p = %{$b->[0]};
    my $body = { properties => { archiveWindowLength => 'PT5M', %p } };
    delete $body->{properties}{archiveWindowLength}
        if exists $p{archiveWindowLength} && !defined $p{archiveWindowLength};
    $r = $t->api(PUT => 'liveEvents/ev1/liveOutputs/bad', $body);
    is($r->{status}, 400, "$b->[1]: 400");
    $oa->ok('ErrorResponse', $r, "$b->[1]: error shape");
}

like(output('ev1', 'bad', assetName => 'a1')->{json}{error}{message},
    qr/a1.*records one live output/, 'asset reuse: a clear message');
is(output('basic', 'bad', assetName => 'a2')->{status}, 400,
    'asset being recorded, on another event: 400');

is(output('none', 'x', assetName => 'a3')->{status}, 404,
    'missing live event: 404');
is($t->api(PUT => 'liveEvents/ev1/liveOutputs/-bad',
    { properties => {} })->{status}, 400, 'invalid name: 400');

$r = output('ev1', 'out1', assetName => 'a1');
is($r->{status}, 409, 'PUT of an existing output: 409');

$r = $t->api(DELETE => 'assets/a1');
is($r->{status}, 409, 'asset being recorded cannot be deleted');
like($r->{json}{error}{message}, qr/out1/, 'message names the output');

is(output('ev1', 'out3', assetName => 'a3')->{status}, 201, 'third output');
$r = output('ev1', 'out4', assetName => 'a4');
is($r->{status}, 400, 'fourth output: 400');
like($r->{json}{error}{message}, qr/3 live outputs/, 'at most 3');

is(output('basic', 'b1', assetName => 'a5')->{status}, 201,
    'PassthroughBasic: one output');
is(output('basic', 'b2', assetName => 'a6')->{status}, 400,
    'PassthroughBasic: a second one refused');

# --- delete -----------------------------------------------------------------

$r = $t->api(DELETE => 'liveEvents/ev1/liveOutputs/out3');
is($r->{status}, 202, 'DELETE: 202');
like($r->{headers}{'azure-asyncoperation'} // '', qr{/liveOutputOperations/},
    'DELETE: Azure-AsyncOperation');
is(Sluice::ApiRes::poll($t, $r)->{status}, 'Succeeded', 'DELETE completes');
is($t->api(GET => Sluice::ApiRes::rel($r->{headers}{location}))->{status},
    204, 'DELETE: operationLocations 204');
is($t->api(GET => 'liveEvents/ev1/liveOutputs/out3')->{status}, 404,
    'deleted: 404');
is($t->api(DELETE => 'liveEvents/ev1/liveOutputs/out3')->{status}, 204,
    'DELETE again: 204');
is($t->api(GET => 'assets/a3')->{status}, 200, 'its asset stays');
is(output('ev1', 'again', assetName => 'a3')->{status}, 400,
    'an asset records once, ever');

# --- live event rules ------------------------------------------------------

is($t->api(POST => 'liveEvents/ev1/start')->{status}, 202, 'start ev1');

$r = $t->api(PUT => 'streamingLocators/l1', { properties => {
    assetName => 'a1', streamingPolicyName => 'Predefined_ClearStreamingOnly' } });
is($r->{status}, 201, 'a locator on the recorded asset');

$r = $t->api(POST => 'liveEvents/ev1/stop');
is($r->{status}, 400, 'stop with live outputs: 400');
like($r->{json}{error}{message}, qr/removeOutputsOnStop/, 'message says how');
$r = $t->api(POST => 'liveEvents/ev1/stop', { removeOutputsOnStop => JSON::PP::false });
is($r->{status}, 400, 'removeOutputsOnStop false: 400');
is($t->api(GET => 'liveEvents/ev1')->{json}{properties}{resourceState},
    'Running', 'still Running');

$r = $t->api(POST => 'liveEvents/ev1/stop',
    { removeOutputsOnStop => JSON::PP::true });
is($r->{status}, 202, 'stop with removeOutputsOnStop: 202');
is_deeply($t->api(GET => 'liveEvents/ev1/liveOutputs')->{json}{value}, [],
    'outputs removed');
is($t->api(GET => 'assets/a1')->{status}, 200, 'asset a1 survives');
is($t->api(GET => 'streamingLocators/l1')->{status}, 200, 'locator survives');
$r = $t->api(POST => 'streamingLocators/l1/listPaths');
like($r->{json}{streamingPaths}[0]{paths}[0] // '', qr{/a1\.ism/manifest},
    'the asset keeps its manifest name for playback');

is($t->api(POST => 'liveEvents/ev1/start')->{status}, 202, 'start again');
is(output('ev1', 'r1', assetName => 'a7')->{status}, 201, 'an output');
is($t->api(POST => 'liveEvents/ev1/reset')->{status}, 202, 'reset');
is_deeply($t->api(GET => 'liveEvents/ev1/liveOutputs')->{json}{value}, [],
    'reset removes the outputs');
is($t->api(GET => 'assets/a7')->{status}, 200, 'asset a7 survives reset');

is($t->api(POST => 'liveEvents/basic/stop')->{status}, 200,
    'stopping a stopped event is a no-op');
is($t->api(DELETE => 'liveEvents/basic')->{status}, 202,
    'delete an event with an output');
is($t->api(GET => 'liveEvents/basic/liveOutputs/b1')->{status}, 404,
    'its output is gone');
is($t->api(GET => 'assets/a5')->{status}, 200, 'its asset stays');

# --- timed transitions -------------------------------------------------------

Sluice::ApiRes::config($t, transition => '1s');
$t->stop();
$t->run();

$r = output('ev1', 'slow', assetName => 'a8');
is($r->{status}, 201, 'timed create: 201');
is($r->{json}{properties}{provisioningState}, 'InProgress',
    'provisioningState InProgress');
is($r->{json}{properties}{resourceState}, 'Creating', 'resourceState Creating');
is($r->{headers}{'retry-after'}, 1, 'Retry-After');
$oa->ok('LiveOutput', $r, 'creating: shape');

$op = $t->api(GET => Sluice::ApiRes::rel($r->{headers}{'azure-asyncoperation'}));
is($op->{json}{status}, 'InProgress', 'operation InProgress');
is($t->api(GET => Sluice::ApiRes::rel($r->{headers}{location}))->{status},
    202, 'operationLocations 202 while in progress');
is(output('ev1', 'slow', assetName => 'a8')->{status}, 409,
    'PUT while creating: 409');
is(Sluice::ApiRes::poll($t, $r)->{status}, 'Succeeded', 'then Succeeded');
is($t->api(GET => 'liveEvents/ev1/liveOutputs/slow')
    ->{json}{properties}{resourceState}, 'Running', 'then Running');

$r = $t->api(DELETE => 'liveEvents/ev1/liveOutputs/slow');
is($r->{status}, 202, 'timed delete: 202');
is($t->api(GET => 'liveEvents/ev1/liveOutputs/slow')
    ->{json}{properties}{resourceState}, 'Deleting', 'Deleting');
is(Sluice::ApiRes::poll($t, $r)->{status}, 'Succeeded', 'delete completes');
is($t->api(GET => 'liveEvents/ev1/liveOutputs/slow')->{status}, 404,
    'then gone');

Sluice::ApiRes::config($t);
$t->stop();
$t->run();

# --- persistence ----------------------------------------------------------------

is(output('ev1', 'keep', assetName => 'a4', rewindWindowLength => 'PT2M')
    ->{status}, 201, 'an output to keep');
my $before = $t->api(GET => 'liveEvents/ev1/liveOutputs/keep')->{json};

$t->stop();
$t->run();

$r = $t->api(GET => 'liveEvents/ev1/liveOutputs/keep');
is_deeply($r->{json}, $before, 'output unchanged after restart');
is(output('ev1', 'x', assetName => 'a4')->{status}, 400,
    'recorded asset still refused after restart');

is($t->api(DELETE => 'liveEvents/ev1/liveOutputs/keep')->{status}, 202,
    'delete it');
ok(Sluice::ApiRes::kill9($t), 'kill -9');
$t->run();
is($t->api(GET => 'liveEvents/ev1/liveOutputs/keep')->{status}, 404,
    'stays deleted after kill -9');
is(output('ev1', 'x', assetName => 'a4')->{status}, 400,
    'asset still refused: it records once, ever');
$r = $t->api(PUT => 'streamingLocators/l4', { properties => {
    assetName => 'a4', streamingPolicyName => 'Predefined_ClearStreamingOnly' } });
$r = $t->api(POST => 'streamingLocators/l4/listPaths');
like($r->{json}{streamingPaths}[0]{paths}[0] // '', qr{/a4\.ism/manifest},
    'its manifest name is kept after kill -9');

$t->done_testing();
