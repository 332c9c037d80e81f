#!/usr/bin/perl

# REST API: account filters and asset filters (AMS v3 AccountFilters,
# AssetFilters): every filter of the AMS examples created (201), read
# back and listed exactly as sent (int64 values to the digit), updated by
# PUT (200) and PATCH; each bad filter refused (400 BadRequest with the
# reason); names; 100 per account and per asset (409 QuotaExceeded);
# nested under an existing asset (404 otherwise); a streaming locator's
# filters must exist; a restart keeps them; deleting an asset deletes its
# filters and their files.  Then the Azure JS SDK (t/sdk/filters.js)
# creates, reads, lists, updates and deletes both kinds over HTTPS.

use strict;
use warnings;

use Test::More;
use JSON::PP;
use IPC::Run ();

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
    return decode_json(<$fh>);
}

my $json = JSON::PP->new->canonical;

sub same {
    my ($got, $want, $name) = @_;
    is($json->encode($got // {}), $json->encode($want // {}), $name);
}

my $A = 'ClimbingMountRainer';
my $AF = "assets/$A/assetFilters";

is($t->api(PUT => "assets/$A", { properties => {} })->{status}, 201,
    'asset created');

# --- the AMS examples round-trip --------------------------------------------

my %shapes;     # name => properties, every filter shape of the examples

for my $kind (qw(accountFilters assetFilters)) {
    my $ex = example("$kind-create");
    $shapes{"$kind-create"} = $ex->{parameters}{parameters}{properties};

    my $list = example("$kind-list-all")->{responses}{200}{body}{value};
    $shapes{"$kind-list-$_->{name}"} = $_->{properties} for @$list;
}

for my $s (sort keys %shapes) {
    my ($kind) = $s =~ /^(\w+?)-/;
    my ($path, $def, $type) = $kind eq 'accountFilters'
        ? ("accountFilters/$s", 'AccountFilter',
           'Microsoft.Media/mediaservices/accountFilters')
        : ("$AF/$s", 'AssetFilter',
           'Microsoft.Media/mediaservices/assets/assetFilters');
    my $props = $shapes{$s};

    my $r = $t->api(PUT => $path, { properties => $props });
    is($r->{status}, 201, "$s: 201") or diag($r->{body});
    $oa->ok($def, $r, "$s: shape");
    is($r->{json}{type}, $type, "$s: type");
    is($r->{json}{name}, $s, "$s: name");
    like($r->{json}{id} // '', qr{/mediaservices/\w+/\Q$path\E$},
        "$s: id");
    same($r->{json}{properties}, $props, "$s: properties as sent");

    my $ptr = $props->{presentationTimeRange};
    my $w = $ptr ? $ptr->{presentationWindowDuration} : undef;
    if (defined $w) {
        like($r->{body}, qr/"presentationWindowDuration":\s*\Q$w\E[,}]/,
            "$s: int64 window exact in the body");
    }

    $r = $t->api(GET => $path);
    is($r->{status}, 200, "$s: GET 200");
    same($r->{json}{properties}, $props, "$s: GET as sent");

    $r = $t->api(PUT => $path, { properties => $props });
    is($r->{status}, 200, "$s: PUT again 200");
}

# the update examples (PATCH in the SDK)

for my $kind (qw(accountFilters assetFilters)) {
    my $ex = example("$kind-update");
    my $name = $ex->{parameters}{filterName};
    my $path = $kind eq 'accountFilters' ? "accountFilters/$name"
                                         : "$AF/$name";

    my $r = $t->api(PUT => $path, { properties => {
        tracks => $shapes{"$kind-create"}{tracks} } });
    is($r->{status}, 201, "$kind update example: created");

    $r = $t->api(PATCH => $path, $ex->{parameters}{parameters});
    is($r->{status}, 200, "$kind update example: PATCH 200");
    same($r->{json}{properties},
        $ex->{responses}{200}{body}{properties},
        "$kind update example: the example's answer");
}

my $r = $t->api(PATCH => "accountFilters/accountFilters-create",
    { properties => { firstQuality => { bitrate => 256000 } } });
is($r->{status}, 200, 'PATCH firstQuality: 200');
is($r->{json}{properties}{firstQuality}{bitrate}, 256000, 'bitrate patched');
same($r->{json}{properties}{tracks}, $shapes{'accountFilters-create'}{tracks},
    'tracks kept by the PATCH');

$r = $t->api(PATCH => "accountFilters/accountFilters-create",
    { properties => { tracks => undef } });
ok(!exists $r->{json}{properties}{tracks}, 'PATCH null removes tracks');

is($t->api(PATCH => 'accountFilters/none', { properties => {} })->{status},
    404, 'PATCH of no filter: 404');

$r = $t->api(PUT => 'accountFilters/empty', {});
is($r->{status}, 201, 'no properties: an empty filter');
same($r->{json}{properties}, {}, 'empty properties');

# --- lists ------------------------------------------------------------------

my $nacc = grep { /^accountFilters-/ } keys %shapes;
my $nasset = grep { /^assetFilters-/ } keys %shapes;

$r = $t->api(GET => 'accountFilters');
is($r->{status}, 200, 'list account filters: 200');
$oa->ok('AccountFilterCollection', $r, 'list: shape');
is(scalar @{$r->{json}{value}}, $nacc + 2, 'list: all account filters');
same((grep { $_->{name} eq 'accountFilters-create' } @{$r->{json}{value}})
    [0]{properties}{presentationTimeRange},
    $shapes{'accountFilters-create'}{presentationTimeRange},
    'list: properties as stored');

$r = $t->api(GET => $AF);
is($r->{status}, 200, 'list asset filters: 200');
$oa->ok('AssetFilterCollection', $r, 'asset filters list: shape');
is(scalar @{$r->{json}{value}}, $nasset + 1, 'list: the asset filters');

$r = $t->api(GET => $AF, undef, query => '$top=1');
is(scalar @{$r->{json}{value}}, 1, '$top=1: one');
ok(!$r->{json}{'@odata.nextLink'}, '$top=1: no next link');

# the names of a collection over its pages (@odata.nextLink)
sub all_names {
    my ($path) = @_;
    my (@names, %seen);
    my @q = ($path);
    while (@q) {
        my $p = $t->api(GET => @q);
        push @names, map { $_->{name} } @{$p->{json}{value} // []};
        @q = $p->{json}{'@odata.nextLink'}
            ? Sluice::ApiRes::rel($p->{json}{'@odata.nextLink'}) : ();
        last if @names > 1000;
    }
    return grep { !$seen{$_}++ } @names;
}

is(scalar(all_names($AF)), $nasset + 1,
    'pages of the asset filters: all once');

# --- bad filters ------------------------------------------------------------

sub sel {
    return { properties => { tracks => [ { trackSelections => [ @_ ] } ] } };
}

sub ptr {
    return { properties => { presentationTimeRange => { @_ } } };
}

my @bad = (
    [ sel({ property => 'Codec', operation => 'Equal', value => 'x' }),
      qr/property must be Type, Name, Language/, 'unknown property' ],
    [ sel({ property => 'Type', operation => 'GreaterThan',
            value => 'Video' }),
      qr/operation must be Equal or NotEqual/, 'unknown operation' ],
    [ sel({ property => 'Bitrate', operation => 'Equal',
            value => '2000-x' }),
      qr/the value of Bitrate must be/, 'malformed bitrate range' ],
    [ sel({ property => 'Bitrate', operation => 'Equal',
            value => '5000-1000' }),
      qr/the value of Bitrate must be/, 'inverted bitrate range' ],
    [ sel({ property => 'Type', operation => 'Equal', value => 'Subtitle' }),
      qr/the value of Type must be/, 'unknown track type' ],
    [ ptr(presentationWindowDuration => 599999999),
      qr/presentationWindowDuration must be at least 60 seconds/,
      'window under 60 s' ],
    [ ptr(presentationWindowDuration => 59, timescale => 1),
      qr/presentationWindowDuration must be at least 60 seconds/,
      'window under 60 s in its timescale' ],
    [ ptr(liveBackoffDuration => 3000000001),
      qr/liveBackoffDuration must be at most 300 seconds/,
      'backoff over 300 s' ],
    [ ptr(startTimestamp => 100, endTimestamp => 50),
      qr/endTimestamp must be after startTimestamp/, 'end before start' ],
    [ ptr(forceEndTimestamp => JSON::PP::true),
      qr/forceEndTimestamp requires endTimestamp/,
      'forceEndTimestamp without endTimestamp' ],
    [ ptr(startTimestamp => -1), qr/must be integers/, 'negative start' ],
    [ ptr(timescale => 0), qr/timescale must be from/, 'zero timescale' ],
    [ { properties => { firstQuality => {} } },
      qr/firstQuality.bitrate is required/, 'firstQuality without bitrate' ],
    [ { properties => 'x' }, qr/properties must be an object/,
      'properties not an object' ],
);

for my $b (@bad) {
    for my $path ('accountFilters/bad', "$AF/bad") {
        $r = $t->api(PUT => $path, $b->[0]);
        is($r->{status}, 400, "$b->[2] ($path): 400");
        is(code($r), 'BadRequest', "$b->[2]: BadRequest");
        $oa->ok('ErrorResponse', $r, "$b->[2]: error shape");
        like($r->{json}{error}{message} // '', $b->[1], "$b->[2]: reason");
    }
}

is($t->api(GET => 'accountFilters/bad')->{status}, 404,
    'refused ones not created');

$r = $t->api(PATCH => 'accountFilters/empty', ptr(liveBackoffDuration =>
    3000000001));
is($r->{status}, 400, 'a PATCH making a bad filter: 400');
same($t->api(GET => 'accountFilters/empty')->{json}{properties}, {},
    'the filter unchanged');

# --- names ------------------------------------------------------------------

is($t->api(PUT => 'accountFilters/' . ('f' x 128), {})->{status}, 201,
    'a name of 128 characters');
$r = $t->api(PUT => 'accountFilters/' . ('f' x 129), {});
is($r->{status}, 400, 'a name of 129 characters: 400');
is(code($r), 'InvalidResourceName', 'InvalidResourceName');
is($t->api(PUT => 'accountFilters/.dot', {})->{status}, 400,
    'a name starting with a dot: 400');
is($t->api(PUT => 'accountFilters/a%3Bb', {})->{status}, 400,
    'a name with ";" (the URL separator): 400');
$r = $t->api(PUT => "$AF/" . ('g' x 128), {});
is($r->{status}, 201, 'an asset filter name of 128 characters');
is($t->api(DELETE => "$AF/" . ('g' x 128))->{status}, 200,
    'and deleted');
is($t->api(GET => 'accountFilters/ACCOUNTFILTERS-CREATE')->{json}{name},
    'accountFilters-create', 'lookups ignore case, the name keeps it');

# --- nested under an asset --------------------------------------------------

$r = $t->api(PUT => 'assets/none/assetFilters/f', {});
is($r->{status}, 404, 'asset filter of no asset: 404');
like($r->{json}{error}{message} // '', qr/Asset 'none' was not found/,
    'named');
is($t->api(GET => 'assets/none/assetFilters')->{status}, 404,
    'list of no asset: 404');
is($t->api(GET => "$AF/none")->{status}, 404, 'no such asset filter: 404');
is($t->api(GET => 'assets/climbingmountrainer/assetFilters/'
    . 'assetFilters-create')->{json}{id} =~ m{/assets/\Q$A\E/}, 1,
    'the id has the asset name as created');

# --- limits -----------------------------------------------------------------

my $have = scalar(all_names('accountFilters'));
my $n = $have;
$n++ while $n < 100 && $t->api(PUT => "accountFilters/n$n", {})->{status}
    == 201;
is($n, 100, '100 account filters');
$r = $t->api(PUT => 'accountFilters/one-more', {});
is($r->{status}, 409, 'the 101st account filter: 409');
is(code($r), 'QuotaExceeded', 'QuotaExceeded');
$oa->ok('ErrorResponse', $r, 'limit: error shape');
is($t->api(PUT => 'accountFilters/empty', {})->{status}, 200,
    'an update at the limit: 200');
is($t->api(DELETE => "accountFilters/n$have")->{status}, 200,
    'one deleted');
is($t->api(PUT => 'accountFilters/one-more', {})->{status}, 201,
    'then one more created');

is($t->api(PUT => 'assets/many', { properties => {} })->{status}, 201,
    'asset "many"');
$n = 0;
$n++ while $n < 100 && $t->api(PUT => "assets/many/assetFilters/m$n", {})
    ->{status} == 201;
is($n, 100, '100 asset filters');
$r = $t->api(PUT => 'assets/many/assetFilters/one-more', {});
is($r->{status}, 409, 'the 101st asset filter: 409');
is(code($r), 'QuotaExceeded', 'QuotaExceeded');
is($t->api(PUT => "$AF/other-asset", {})->{status}, 201,
    'another asset is not limited by it');

# --- streaming locators -----------------------------------------------------

sub locator {
    my ($name, $asset, @filters) = @_;
    return $t->api(PUT => "streamingLocators/$name", { properties => {
        assetName => $asset,
        streamingPolicyName => 'Predefined_ClearStreamingOnly',
        filters => [ @filters ] } });
}

$r = locator('l1', $A, 'nope');
is($r->{status}, 400, 'locator with an unknown filter: 400');
is(code($r), 'BadRequest', 'BadRequest');
like($r->{json}{error}{message} // '', qr/Filter 'nope' was not found/,
    'the filter named');
is($t->api(GET => 'streamingLocators/l1')->{status}, 404, 'not created');

$r = locator('l2', $A, 'm0');
is($r->{status}, 400, "locator with another asset's filter: 400");

$r = locator('l3', $A, 'assetFilters-create', 'accountFilters-create');
is($r->{status}, 201, 'locator with an asset and an account filter: 201')
    or diag($r->{body});
same($r->{json}{properties}{filters},
    [ 'assetFilters-create', 'accountFilters-create' ], 'filters stored');

# --- restart ----------------------------------------------------------------

my $dir = $t->testdir() . '/data/api';
my $asset_id = $t->api(GET => "assets/$A")->{json}{properties}{assetId};
my $before_acc = $t->api(GET => 'accountFilters/accountFilters-create')
    ->{body};
my $before_asf = $t->api(GET => "$AF/assetFilters-create")->{body};

ok(-f "$dir/accountFilters/accountfilters-create.json",
    'account filter file');
ok(-f "$dir/assetFilters/$asset_id.assetfilters-create.json",
    'asset filter file: {assetId}.{name}.json');

$t->stop();
$t->run();

is($t->api(GET => 'accountFilters/accountFilters-create')->{body},
    $before_acc, 'account filter kept by a restart, to the byte');
is($t->api(GET => "$AF/assetFilters-create")->{body}, $before_asf,
    'asset filter kept by a restart, to the byte');
is(scalar(all_names('accountFilters')), 100, '100 account filters');
is(scalar(all_names('assets/many/assetFilters')), 100,
    '100 asset filters');
is($t->api(PUT => 'assets/many/assetFilters/one-more', {})->{status}, 409,
    'the limit after a restart');

# --- deletes ----------------------------------------------------------------

is($t->api(DELETE => 'accountFilters/accountFilters-create')->{status}, 200,
    'DELETE: 200');
is($t->api(DELETE => 'accountFilters/accountFilters-create')->{status}, 204,
    'DELETE again: 204');
ok(!-e "$dir/accountFilters/accountfilters-create.json", 'file removed');

is($t->api(DELETE => "$AF/assetFilters-create")->{status}, 200,
    'asset filter DELETE: 200');
is($t->api(DELETE => "$AF/assetFilters-create")->{status}, 204,
    'again: 204');
ok(!-e "$dir/assetFilters/$asset_id.assetfilters-create.json",
    'its file removed');

my $many_id = $t->api(GET => 'assets/many')->{json}{properties}{assetId};
is($t->api(DELETE => 'assets/many')->{status}, 200, 'asset deleted');
is($t->api(GET => 'assets/many/assetFilters/m0')->{status}, 404,
    'its filters gone');
my @left = glob("$dir/assetFilters/$many_id.*");
is(scalar @left, 0, 'and their files');
is($t->api(PUT => 'assets/many', { properties => {} })->{status}, 201,
    'an asset of the same name');
is(scalar @{$t->api(GET => 'assets/many/assetFilters')->{json}{value}}, 0,
    'has no filters');

$t->stop();
$t->run();

is(scalar @{$t->api(GET => 'assets/many/assetFilters')->{json}{value}}, 0,
    'nor after a restart');
is($t->api(GET => "$AF/other-asset")->{status}, 200,
    'the other asset keeps its filters');

# --- the Azure SDK (t/sdk/filters.js, over HTTPS) ---------------------------

SKIP: {
    my $sdk = "$FindBin::Bin/sdk";
    skip('node or t/sdk/node_modules missing (npm ci --prefix t/sdk)', 3)
        unless Test::Sluice::_which('node')
            && -d "$sdk/node_modules/\@azure/arm-mediaservices";

    $t->stop();
    system('rm', '-rf', $t->testdir() . '/data');
    $t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
        port => 8443, listen => ' ssl', server => <<'EOF2', sluice => <<'EOF3');
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;
EOF2
sluice_zone sluice 8m;
sluice_data_path data;
sluice_account sdkaccount;
sluice_api_key %%API_KEY%%;
EOF3
    $t->run();

    my $out = '';
    my ($cert) = $t->make_cert();
    local $ENV{NODE_EXTRA_CA_CERTS} = $cert;
    IPC::Run::run(['node', "$sdk/filters.js",
        'https://127.0.0.1:' . $t->port(8443), $t->api_key(), 'sdkaccount'],
        '<', \undef, '>&', \$out, IPC::Run::timeout(120));

    is($? >> 8, 0, 'SDK run') or diag($out);
    like($out, qr/^ok asset filter updated$/m, 'SDK: asset filter updated');
    like($out, qr/^done$/m, 'SDK: all checks');
}

$t->done_testing();
