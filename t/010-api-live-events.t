#!/usr/bin/perl

# REST API: live events (AMS v3 shapes), long-running operation headers
# and polling, state transitions, errors (400, 401, 404, 405, 409, 413),
# list paging, quota.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

# the sluice_* directives under test: two keys, two ingest URLs, an HTTPS
# preview URL, a live event limit; no RTMP, no packager
$t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
    sluice => <<'EOF');
sluice_zone sluice 8m;
sluice_data_path data;
sluice_account local;
sluice_api_key other-key;
sluice_api_key %%API_KEY%%;
sluice_ingest_url rtmp://127.0.0.1:%%PORT_1935%%;
sluice_ingest_url rtmps://127.0.0.1:2935/;
sluice_preview_url https://127.0.0.1:%%PORT_8443%%;
sluice_max_live_events 12;
EOF

$t->run();

my $p1935 = $t->port(1935);
my $p8443 = $t->port(8443);
my $uuid = qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
my $iso = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

sub event_body {
    my (%o) = @_;

    return {
        location => 'West US',
        tags => { tag1 => 'value1' },
        properties => {
            description => 'test event',
            input => {
                streamingProtocol => 'RTMP',
                %{$o{input} // {}},
            },
            %{$o{props} // {}},
        },
    };
}

# an absolute URL of a response header, as (path, query => ...) for api()
sub rel {
    my ($url) = @_;

    my ($path, $q) = $url =~ m{^https?://[^/]+(/[^?]*)\?(.*)$};
    return ($path, undef, query => $q);
}

sub error_code {
    my ($r) = @_;

    return $r->{json} && $r->{json}{error} ? $r->{json}{error}{code} : '';
}

# --- authentication, api-version, routing -------------------------------

my $r = $t->api(GET => 'liveEvents', undef, key => '');
is($r->{status}, 401, 'no key: 401');
is(error_code($r), 'AuthenticationFailed', 'no key: ARM error code');
like($r->{headers}{'www-authenticate'} // '', qr/^Bearer/,
    'WWW-Authenticate: Bearer');
like($r->{headers}{'content-type'} // '', qr{^application/json},
    'error is JSON');

$r = $t->api(GET => 'liveEvents', undef, key => 'wrong-key');
is($r->{status}, 401, 'wrong key: 401');

$r = $t->api(GET => 'liveEvents', undef, key => 'other-key');
is($r->{status}, 200, 'second configured key works');

$r = $t->api(GET => 'liveEvents', undef, query => 'api-version=2019-05-01');
is($r->{status}, 400, 'unsupported api-version: 400');
is(error_code($r), 'InvalidApiVersionParameter', 'api-version error code');

$r = $t->api(GET => 'liveEvents', undef, query => 'x=1&api-version=');
is(error_code($r), 'MissingApiVersionParameter', 'empty api-version');

my $path = $t->api_path('liveEvents');
$r = $t->http(GET => $path,
    headers => { Authorization => 'Bearer ' . $t->api_key() });
is($r->{status}, 400, 'missing api-version: 400');
is(JSON::PP::decode_json($r->{body})->{error}{code},
    'MissingApiVersionParameter', 'missing api-version code');

for my $v ('2022-11-01', '2023-01-01') {
    is($t->api(GET => 'liveEvents', undef,
        query => "api-version=$v")->{status}, 200, "api-version $v");
}

(my $other = $path) =~ s{/local/}{/otheraccount/};
$r = $t->api(GET => $other);
is($r->{status}, 404, 'other account: 404');
is(error_code($r), 'ResourceNotFound', 'other account: code');

$r = $t->api(GET => 'streamingThings');
is($r->{status}, 404, 'unknown resource type: 404');
is(error_code($r), 'InvalidResourceType', 'unknown resource type code');

$r = $t->api(GET => 'liveEvents', undef);
is_deeply($r->{json}, { value => [] }, 'empty list');

# --- create --------------------------------------------------------------

$r = $t->api(PUT => 'liveEvents/ev1', event_body(
    input => {
        accessControl => { ip => { allow => [
            { name => 'AllowAll', address => '0.0.0.0',
              subnetPrefixLength => 0 } ] } },
    }));

is($r->{status}, 201, 'create: 201');

my $j = $r->{json};
my $base = 'http://127.0.0.1:' . $t->port(8080)
    . '/subscriptions/00000000-0000-0000-0000-000000000000'
    . '/resourceGroups/sluice/providers/Microsoft.Media/mediaServices/local';

like($r->{headers}{'azure-asyncoperation'} // '',
    qr{^\Q$base\E/liveEventOperations/[0-9a-f-]{36}\?api-version=2022-08-01$}i,
    'create: Azure-AsyncOperation header');
like($r->{headers}{'location'} // '',
    qr{^\Q$base\E/liveEvents/ev1/operationLocations/[0-9a-f-]{36}\?api-version=2022-08-01$}i,
    'create: Location header');

is($j->{name}, 'ev1', 'name');
is($j->{id}, '/subscriptions/00000000-0000-0000-0000-000000000000'
    . '/resourceGroups/sluice/providers/Microsoft.Media/mediaservices/local'
    . '/liveevents/ev1', 'id');
is($j->{type}, 'Microsoft.Media/mediaservices/liveevents', 'type');
is($j->{location}, 'West US', 'location');
is_deeply($j->{tags}, { tag1 => 'value1' }, 'tags');

my $p = $j->{properties};
is($p->{description}, 'test event', 'description');
is($p->{resourceState}, 'Stopped', 'created Stopped');
is($p->{provisioningState}, 'Succeeded', 'provisioningState');
like($p->{created} // '', $iso, 'created');
like($p->{lastModified} // '', $iso, 'lastModified');
is($p->{input}{streamingProtocol}, 'RTMP', 'streamingProtocol');
is($p->{input}{keyFrameIntervalDuration}, 'PT2S',
    'default keyFrameIntervalDuration');

my $token = $p->{input}{accessToken} // '';
like($token, qr/^[0-9a-f]{32}$/, 'generated accessToken');
is_deeply($p->{input}{endpoints}, [
    { protocol => 'RTMP', url => "rtmp://127.0.0.1:$p1935/live/$token" },
    { protocol => 'RTMP', url => "rtmps://127.0.0.1:2935/live/$token" },
    ], 'input endpoints');
is_deeply($p->{input}{accessControl}{ip}{allow}, [
    { name => 'AllowAll', address => '0.0.0.0', subnetPrefixLength => 0 }],
    'input allow-list');

my $locator = $p->{preview}{previewLocator} // '';
like($locator, $uuid, 'generated previewLocator');
is_deeply($p->{preview}{endpoints}, [ { protocol => 'FragmentedMP4',
    url => "https://127.0.0.1:$p8443/$locator/preview.ism/manifest" } ],
    'preview endpoint');
is($p->{encoding}{encodingType}, 'None', 'encodingType');
is_deeply($p->{streamOptions}, [], 'streamOptions');
is($p->{useStaticHostname}, JSON::PP::false, 'useStaticHostname');

# --- long-running operation of the creation -----------------------------

my $aop = $r->{headers}{'azure-asyncoperation'};
my $loc = $r->{headers}{'location'};
my ($opid) = $aop =~ m{liveEventOperations/([0-9a-f-]+)};

$r = $t->api(GET => rel($aop));
is($r->{status}, 200, 'async operation: 200');
is_deeply($r->{json}, { name => $opid, status => 'Succeeded' },
    'async operation: Succeeded');

$r = $t->api(GET => rel($loc));
is($r->{status}, 200, 'operation location: 200');
is($r->{json}{name}, 'ev1', 'operation location: the live event');

$r = $t->api(GET => "liveEventOperations/00000000-1111-4111-8111-000000000000");
is($r->{status}, 404, 'unknown operation: 404');

$r = $t->api(GET => "liveEvents/ev2/operationLocations/$opid");
is($r->{status}, 404, 'operation of another event: 404');

# --- get -----------------------------------------------------------------

$r = $t->api(GET => 'liveEvents/ev1');
is($r->{status}, 200, 'get: 200');
is_deeply($r->{json}, $j, 'get: same resource as created');

$r = $t->api(GET => '/SUBSCRIPTIONS/x/RESOURCEGROUPS/y/PROVIDERS/MICROSOFT.MEDIA'
    . '/MEDIASERVICES/LOCAL/LIVEEVENTS/EV1');
is($r->{status}, 200, 'get: case-insensitive path');
is($r->{json}{name}, 'ev1', 'get: name as created');
like($r->{json}{id}, qr{^/subscriptions/x/resourceGroups/y/}, 'id echoes path');

$r = $t->api(GET => 'liveEvents/nosuch');
is($r->{status}, 404, 'get missing: 404');
is(error_code($r), 'NotFound', 'get missing: code');

# --- create with given token/locator, autoStart --------------------------

my $loc2 = '5a8b5e2e-2c3d-4e5f-8a9b-0c1d2e3f4a5b';
$r = $t->api(PUT => 'liveEvents/ev-2', event_body(
    input => { accessToken => 'ABCDEF0123456789abcdef0123456789',
               keyFrameIntervalDuration => 'PT4S' },
    props => { preview => { previewLocator => $loc2 },
               encoding => { encodingType => 'PassthroughBasic' },
               streamOptions => ['LowLatency'] }),
    query => 'autoStart=true');
is($r->{status}, 201, 'create with autoStart: 201');
$p = $r->{json}{properties};
is($p->{resourceState}, 'Running', 'autoStart: Running');
is($p->{input}{accessToken}, 'ABCDEF0123456789abcdef0123456789',
    'given accessToken kept');
is($p->{input}{keyFrameIntervalDuration}, 'PT4S', 'given duration');
is($p->{preview}{previewLocator}, $loc2, 'given previewLocator');
is($p->{encoding}{encodingType}, 'PassthroughBasic', 'PassthroughBasic');
is_deeply($p->{streamOptions}, ['LowLatency'], 'LowLatency');

$r = $t->api(PUT => 'liveEvents/ev3', event_body(
    input => { accessToken => 'ABCDEF0123456789abcdef0123456789' }));
is($r->{status}, 400, 'duplicate accessToken: 400');

# --- update: PATCH and PUT -----------------------------------------------

$r = $t->api(PATCH => 'liveEvents/ev1',
    { properties => { description => 'updated' }, tags => { t2 => 'v2' } });
is($r->{status}, 200, 'patch: 200');
is($r->{json}{properties}{description}, 'updated', 'patch: description');
is_deeply($r->{json}{tags}, { tag1 => 'value1', t2 => 'v2' },
    'patch: tags merged');
is($r->{json}{properties}{input}{accessToken}, $token, 'patch: token kept');
is($r->{json}{properties}{created}, $j->{properties}{created},
    'patch: created kept');

$r = $t->api(PATCH => 'liveEvents/ev1',
    { properties => { input => { accessToken => 'ffff' } } });
is($r->{status}, 400, 'patch accessToken: 400');

$r = $t->api(PATCH => 'liveEvents/ev1',
    { properties => { input => { accessControl => { ip => { allow => [
        { name => 'one', address => '192.168.1.0',
          subnetPrefixLength => 24 } ] } } } } });
is($r->{status}, 200, 'patch allow-list: 200');
is_deeply($r->{json}{properties}{input}{accessControl}{ip}{allow},
    [ { name => 'one', address => '192.168.1.0', subnetPrefixLength => 24 } ],
    'patch allow-list replaced');

$r = $t->api(PATCH => 'liveEvents/ev-2',
    { properties => { input => { keyFrameIntervalDuration => 'PT6S' } } });
is($r->{status}, 400, 'duration change while Running: 400');

$r = $t->api(PATCH => 'liveEvents/nosuch', { tags => {} });
is($r->{status}, 404, 'patch missing: 404');

$r = $t->api(PUT => 'liveEvents/ev1', event_body(
    input => { keyFrameIntervalDuration => 'PT3S' }));
is($r->{status}, 200, 'put on existing: 200');
is($r->{json}{properties}{input}{keyFrameIntervalDuration}, 'PT3S',
    'put: duration updated');
is($r->{json}{properties}{input}{accessToken}, $token, 'put: token kept');
is($r->{json}{properties}{preview}{previewLocator}, $locator,
    'put: locator kept');
ok(!exists $r->{json}{properties}{input}{accessControl},
    'put: allow-list replaced by none');

$r = $t->api(PATCH => 'liveEvents/EV1', { tags => { case => 'upper' } });
is($r->{status}, 200, 'patch with another case of the name');
is($r->{json}{name}, 'ev1', 'the name keeps its case');
like($r->{json}{id}, qr{/liveevents/ev1$}, 'id with the stored name');

# --- state transitions ----------------------------------------------------

sub state_of {
    my ($name) = @_;

    my $r = $t->api(GET => "liveEvents/$name");
    return $r->{status} == 200 ? $r->{json}{properties}{resourceState}
                               : "HTTP $r->{status}";
}

sub action {
    my ($name, $action, $body) = @_;

    return $t->api(POST => "liveEvents/$name/$action", $body);
}

$r = action('ev1', 'allocate');
is($r->{status}, 202, 'allocate: 202');
like($r->{headers}{'azure-asyncoperation'} // '',
    qr{/liveEventOperations/[0-9a-f-]{36}\?api-version=}, 'allocate: AO');
like($r->{headers}{'location'} // '',
    qr{/liveEvents/ev1/operationLocations/[0-9a-f-]{36}\?api-version=},
    'allocate: Location');
ok(defined $r->{headers}{'retry-after'}, 'allocate: Retry-After');
is($t->api(GET => rel($r->{headers}{'azure-asyncoperation'}))->{json}{status},
    'Succeeded', 'allocate: operation Succeeded');
is($t->api(GET => rel($r->{headers}{'location'}))->{json}{properties}
    {resourceState}, 'StandBy', 'allocate: operation location shows StandBy');
is(state_of('ev1'), 'StandBy', 'StandBy');

is(action('ev1', 'allocate')->{status}, 200, 'allocate again: 200');

$r = action('ev1', 'start');
is($r->{status}, 202, 'start: 202');
is(state_of('ev1'), 'Running', 'Running');
is(action('ev1', 'start')->{status}, 200, 'start again: 200');

$r = action('ev1', 'allocate');
is($r->{status}, 409, 'allocate while Running: 409');
is(error_code($r), 'InvalidResourceState', 'allocate while Running: code');

is(action('ev1', 'reset')->{status}, 202, 'reset: 202');
is(state_of('ev1'), 'Running', 'Running after reset');

$r = $t->api(DELETE => 'liveEvents/ev1');
is($r->{status}, 409, 'delete while Running: 409');

$r = action('ev1', 'stop', { removeOutputsOnStop => JSON::PP::false });
is($r->{status}, 202, 'stop: 202');
is(state_of('ev1'), 'Stopped', 'Stopped');
is(action('ev1', 'stop')->{status}, 200, 'stop again: 200');
is(action('ev1', 'reset')->{status}, 409, 'reset while Stopped: 409');

is(action('ev1', 'start')->{status}, 202, 'start from Stopped: 202');
is(action('ev1', 'stop', {})->{status}, 202, 'stop with empty body: 202');

$r = action('ev1', 'stop', { removeOutputsOnStop => 'yes' });
is($r->{status}, 400, 'stop with a bad body: 400');

$r = action('ev1', 'explode');
is($r->{status}, 404, 'unknown action: 404');
is(action('nosuch', 'start')->{status}, 404, 'action on missing: 404');

# --- 400s ------------------------------------------------------------------

my @bad = (
    [ 'bad JSON', 'liveEvents/bad1', '{"location": ', 'InvalidRequestContent' ],
    [ 'body not an object', 'liveEvents/bad1', '[1,2]', 'InvalidRequestContent' ],
    [ 'no body', 'liveEvents/bad1', undef, 'InvalidRequestContent' ],
    [ 'name too long', 'liveEvents/' . ('a' x 33), event_body(), 'InvalidResourceName' ],
    [ 'name with leading hyphen', 'liveEvents/-ev', event_body(), 'InvalidResourceName' ],
    [ 'name with underscore', 'liveEvents/e_v', event_body(), 'InvalidResourceName' ],
    [ 'unknown streamingProtocol', 'liveEvents/bad1',
      event_body(input => { streamingProtocol => 'RTSP' }), 'BadRequest',
      qr/must be RTMP, FragmentedMP4 or SRT/ ],
    [ 'Standard encoding without sluice_transcoder', 'liveEvents/bad1',
      event_body(input => { keyFrameIntervalDuration => '' },
                 props => { encoding => { encodingType => 'Standard' } }),
      'BadRequest', qr/needs "sluice_transcoder" in nginx\.conf/ ],
    [ 'Premium1080p encoding', 'liveEvents/bad1',
      event_body(props => { encoding => { encodingType => 'Premium1080p' } }), 'BadRequest' ],
    [ 'bad duration', 'liveEvents/bad1',
      event_body(input => { keyFrameIntervalDuration => '2s' }), 'BadRequest' ],
    [ 'duration out of range', 'liveEvents/bad1',
      event_body(input => { keyFrameIntervalDuration => 'PT30S' }), 'BadRequest' ],
    [ 'missing location', 'liveEvents/bad1',
      { properties => { input => { streamingProtocol => 'RTMP' } } }, 'LocationRequired' ],
    [ 'missing input', 'liveEvents/bad1', { location => 'x', properties => {} },
      'BadRequest' ],
    [ 'bad IP address', 'liveEvents/bad1',
      event_body(input => { accessControl => { ip => { allow => [
          { address => '300.1.1.1' } ] } } }), 'BadRequest' ],
    [ 'bad prefix length', 'liveEvents/bad1',
      event_body(input => { accessControl => { ip => { allow => [
          { address => '10.0.0.0', subnetPrefixLength => 33 } ] } } }), 'BadRequest' ],
    [ 'bad previewLocator', 'liveEvents/bad1',
      event_body(props => { preview => { previewLocator => 'nope' } }), 'BadRequest' ],
    [ 'transcriptions', 'liveEvents/bad1',
      event_body(props => { transcriptions => [ { language => 'en-US' } ] }),
      'BadRequest' ],
    [ 'tags not strings', 'liveEvents/bad1',
      { %{event_body()}, tags => { a => 1 } }, 'BadRequest' ],
);

for my $b (@bad) {
    my ($what, $p, $body, $code, $msg) = @$b;

    my $r = $t->api(PUT => $p, $body);
    is($r->{status}, 400, "$what: 400");
    is(error_code($r), $code, "$what: code $code");
    like($r->{json}{error}{message} // '', $msg, "$what: message") if $msg;
}

$r = $t->api(PUT => 'liveEvents/bad1', event_body(), query => 'autoStart=maybe');
is($r->{status}, 400, 'bad autoStart: 400');

is(state_of('bad1'), 'HTTP 404', 'no event left by the bad requests');

# --- 405, 413 --------------------------------------------------------------

$r = $t->api(POST => 'liveEvents/ev1', {});
is($r->{status}, 405, 'POST on a live event: 405');
is(error_code($r), 'MethodNotAllowed', '405 code');
is($t->api(DELETE => 'liveEvents')->{status}, 405, 'DELETE on the list: 405');
is($t->api(GET => 'liveEvents/ev1/start')->{status}, 405, 'GET an action: 405');

# a body bigger than the client body buffer is spilled to a temporary
# file by nginx, and read from there
$r = $t->api(PUT => 'liveEvents/big', event_body(
    props => { description => 'd' x 16000, crossSiteAccessPolicies =>
               { clientAccessPolicy => 'c' x 16000 } }));
is($r->{status}, 201, 'body of 32 KB: 201');
is(length($r->{json}{properties}{description} // ''), 16000,
    'body of 32 KB: description kept');
is(length($r->{json}{properties}{crossSiteAccessPolicies}
    {clientAccessPolicy} // ''), 16000, 'body of 32 KB: policy kept');
is($t->api(DELETE => 'liveEvents/big')->{status}, 202, 'delete it');

# chunked bodies are bounded after reading
my $chunk = 'x' x 8192;
my $raw = "PUT " . $t->api_path('liveEvents/big') . "?api-version=2022-08-01"
    . " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    . "Authorization: Bearer " . $t->api_key() . "\r\n"
    . "Transfer-Encoding: chunked\r\n\r\n"
    . (sprintf("%x\r\n%s\r\n", length $chunk, $chunk) x 9) . "0\r\n\r\n";
like($t->http_raw($raw), qr{^HTTP/1.1 413 .*RequestEntityTooLarge}s,
    'chunked body over 64 KB: 413');

my $big = event_body(props => { description => 'x' x 70000 });
$r = $t->api(PUT => 'liveEvents/big', $big);
is($r->{status}, 413, 'large body: 413');
is(error_code($r), 'RequestEntityTooLarge', '413 code');

# --- list, paging, quota ----------------------------------------------------

my %want = (ev1 => 1, 'ev-2' => 1);
for my $i (3 .. 12) {
    my $n = sprintf('page%02d', $i);
    $want{$n} = 1;
    $r = $t->api(PUT => "liveEvents/$n", event_body());
    is($r->{status}, 201, "create $n") unless $r->{status} == 201;
}

$r = $t->api(PUT => 'liveEvents/toomany', event_body());
is($r->{status}, 409, 'over the limit: 409');
is(error_code($r), 'QuotaExceeded', 'over the limit: code');

$r = $t->api(GET => 'liveEvents');
is($r->{status}, 200, 'list: 200');
is(scalar @{$r->{json}{value}}, 10, 'list: first page of 10');
my $next = $r->{json}{'@odata.nextLink'} // '';
like($next, qr{^\Q$base\E/liveEvents\?api-version=2022-08-01&\$skiptoken=}i,
    'list: nextLink');

my @names = map { $_->{name} } @{$r->{json}{value}};
$r = $t->api(GET => rel($next));
is($r->{status}, 200, 'list page 2: 200');
is(scalar @{$r->{json}{value}}, 2, 'list page 2: the rest');
ok(!exists $r->{json}{'@odata.nextLink'}, 'list page 2: no nextLink');
push @names, map { $_->{name} } @{$r->{json}{value}};

is_deeply([ sort @names ], [ sort keys %want ], 'all events listed once');
is_deeply([ @names ], [ sort { lc $a cmp lc $b } @names ], 'sorted by name');

# --- delete ----------------------------------------------------------------

is(action('ev-2', 'stop')->{status}, 202, 'stop ev-2');

$r = $t->api(DELETE => 'liveEvents/ev-2');
is($r->{status}, 202, 'delete: 202');
like($r->{headers}{'azure-asyncoperation'} // '', qr{/liveEventOperations/},
    'delete: Azure-AsyncOperation');
is($t->api(GET => rel($r->{headers}{'azure-asyncoperation'}))->{json}{status},
    'Succeeded', 'delete: operation Succeeded');
is($t->api(GET => rel($r->{headers}{'location'}))->{status}, 204,
    'delete: operation location 204');
is(state_of('ev-2'), 'HTTP 404', 'deleted');
is($t->api(DELETE => 'liveEvents/ev-2')->{status}, 204, 'delete again: 204');

$r = $t->api(PUT => 'liveEvents/toomany', event_body());
is($r->{status}, 201, 'room for one more after a delete');

$r = $t->api(PUT => 'liveEvents/EV-2', event_body(
    input => { accessToken => 'ABCDEF0123456789abcdef0123456789' }));
is($r->{status}, 409, 'quota again: 409');

$t->done_testing();
