#!/usr/bin/perl

# REST API: assets (AMS v3 Metadata 2023-01-01): create/update (PUT),
# PATCH, GET, list with $filter/$orderby/$top/$skiptoken, DELETE (its
# media directory and its streaming locators go too), listStreamingLocators,
# the unsupported actions, persistence across restart and kill -9; every
# response checked against the OpenAPI definitions.

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
my $iso = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

sub code { Sluice::ApiRes::code(@_) }

# --- create ---------------------------------------------------------------

my $r = $t->api(PUT => 'assets/Asset-1',
    { properties => { description => 'first', alternateId => 'alt1',
                      storageAccountName => 'storage0' } });
is($r->{status}, 201, 'create: 201');
$oa->ok('Asset', $r, 'create: shape');

my $a1 = $r->{json};
is($a1->{name}, 'Asset-1', 'name');
like($a1->{id}, qr{^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Media/mediaservices/local/assets/Asset-1$},
    'id');
is($a1->{type}, 'Microsoft.Media/mediaservices/assets', 'type');
like($a1->{properties}{assetId}, $uuid, 'assetId is a UUID');
is($a1->{properties}{container}, "asset-$a1->{properties}{assetId}",
    'container asset-{assetId}');
like($a1->{properties}{created}, $iso, 'created');
is($a1->{properties}{lastModified}, $a1->{properties}{created},
    'lastModified = created');
is($a1->{properties}{description}, 'first', 'description');
is($a1->{properties}{alternateId}, 'alt1', 'alternateId');
is($a1->{properties}{storageAccountName}, 'storage0', 'storageAccountName');
is($a1->{properties}{storageEncryptionFormat}, 'None',
    'storageEncryptionFormat');

$r = $t->api(PUT => 'assets/with-container',
    { properties => { container => 'my-container' } });
is($r->{status}, 201, 'create with a container');
is($r->{json}{properties}{container}, 'my-container', 'container kept');

$r = $t->api(PUT => 'assets/empty-body', {});
is($r->{status}, 201, 'create with no properties');

# --- validation -------------------------------------------------------------

$r = $t->api(PUT => 'assets/bad', '[1]');
is($r->{status}, 400, 'body not an object: 400');
is(code($r), 'InvalidRequestContent', 'body not an object: code');
$oa->ok('ErrorResponse', $r, 'error shape');

$r = $t->api(PUT => 'assets/bad', '{"properties":');
is(code($r), 'InvalidRequestContent', 'malformed JSON');

$r = $t->api(PUT => 'assets/bad', { properties => 3 });
is($r->{status}, 400, 'properties not an object: 400');

$r = $t->api(PUT => 'assets/bad', { properties => { description => 5 } });
is($r->{status}, 400, 'description not a string: 400');
like($r->{json}{error}{message}, qr/description/, 'message names it');

$r = $t->api(PUT => 'assets/bad',
    { properties => { container => 'Bad_Container' } });
is($r->{status}, 400, 'invalid container: 400');

$r = $t->api(PUT => 'assets/.hidden', { properties => {} });
is($r->{status}, 400, 'name starting with a dot: 400');
is(code($r), 'InvalidResourceName', 'name error code');

$r = $t->api(PUT => 'assets/' . ('x' x 201), { properties => {} });
is(code($r), 'InvalidResourceName', 'name too long');

is($t->api(GET => 'assets/bad')->{status}, 404, 'refused ones not created');

# --- update -----------------------------------------------------------------

select(undef, undef, undef, 0.01);

$r = $t->api(PUT => 'assets/Asset-1',
    { properties => { description => 'replaced',
                      assetId => '00000000-0000-4000-8000-000000000000' } });
is($r->{status}, 200, 'PUT existing: 200');
$oa->ok('Asset', $r, 'update: shape');
is($r->{json}{properties}{assetId}, $a1->{properties}{assetId},
    'assetId read-only: kept');
is($r->{json}{properties}{created}, $a1->{properties}{created},
    'created kept');
isnt($r->{json}{properties}{lastModified}, $a1->{properties}{created},
    'lastModified moved');
ok(!exists $r->{json}{properties}{alternateId},
    'PUT replaces: alternateId gone');

$r = $t->api(PATCH => 'assets/Asset-1',
    { properties => { alternateId => 'alt2' } });
is($r->{status}, 200, 'PATCH: 200');
$oa->ok('Asset', $r, 'PATCH: shape');
is($r->{json}{properties}{description}, 'replaced', 'PATCH merges');
is($r->{json}{properties}{alternateId}, 'alt2', 'PATCH sets');

$r = $t->api(PATCH => 'assets/asset-1',
    { properties => { description => undef } });
is($r->{status}, 200, 'PATCH, name in another case');
ok(!exists $r->{json}{properties}{description}, 'PATCH null removes');
is($r->{json}{name}, 'Asset-1', 'stored name kept');

$r = $t->api(PATCH => 'assets/none', { properties => {} });
is($r->{status}, 404, 'PATCH missing: 404');

# --- get --------------------------------------------------------------------

$r = $t->api(GET => 'assets/ASSET-1');
is($r->{status}, 200, 'GET: case-insensitive name');
$oa->ok('Asset', $r, 'GET: shape');
is($r->{json}{properties}{alternateId}, 'alt2', 'GET sees the change');

$r = $t->api(GET => 'assets/none');
is($r->{status}, 404, 'GET missing: 404');
is(code($r), 'NotFound', 'GET missing: code');
$oa->ok('ErrorResponse', $r, 'GET missing: shape');

is($t->api(POST => 'assets')->{status}, 405, 'POST on the collection: 405');

# --- list, paging, $top ---------------------------------------------------------

my %created;
for my $i (1 .. 22) {
    my $n = sprintf('bulk%02d', $i);
    $r = $t->api(PUT => "assets/$n",
        { properties => { alternateId => $i % 2 ? 'odd' : 'even' } });
    $created{$n} = $r->{json}{properties}{created};
}

sub list_all {
    my (%o) = @_;

    my @names;
    my $r = $t->api(GET => 'assets', undef, %o);
    my $pages = 0;

    while (1) {
        return undef unless $r->{status} == 200;
        return undef unless $oa->validate('AssetCollection', $r->{json}) == 0;
        $pages++;
        push @names, map { $_->{name} } @{$r->{json}{value}};
        my $next = $r->{json}{'@odata.nextLink'} or last;
        $r = $t->api(GET => Sluice::ApiRes::rel($next));
        last if $pages > 20;
    }

    return { names => \@names, pages => $pages };
}

$r = $t->api(GET => 'assets');
$oa->ok('AssetCollection', $r, 'list: shape');
is(scalar @{$r->{json}{value}}, 10, 'list: first page of 10');
like($r->{json}{'@odata.nextLink'} // '',
    qr{^http://127\.0\.0\.1:\d+/subscriptions/.*/assets\?api-version=2022-08-01&\$skiptoken=10$},
    'list: @odata.nextLink');

my $all = list_all();
is($all->{pages}, 3, 'list: 25 assets in 3 pages');
is_deeply($all->{names},
    [ sort { lc $a cmp lc $b } 'Asset-1', 'with-container', 'empty-body',
      keys %created ],
    'list: every asset once, by name');

$r = $t->api(GET => 'assets', undef, query => '$top=3');
is(scalar @{$r->{json}{value}}, 3, '$top=3: 3');
ok(!$r->{json}{'@odata.nextLink'}, '$top reached: no nextLink');

$all = list_all(query => '$top=14');
is(scalar @{$all->{names}}, 14, '$top=14 across pages: 14');
is($all->{pages}, 2, '$top=14: 2 pages');

$r = $t->api(GET => 'assets', undef, query => '$top=x');
is($r->{status}, 400, '$top invalid: 400');

# --- $filter, $orderby ---------------------------------------------------------

$all = list_all(query => '$filter=' . uri("name eq 'bulk05'"));
is_deeply($all->{names}, [ 'bulk05' ], '$filter name eq');

$all = list_all(query => '$filter=' . uri("properties/alternateId eq 'odd'"));
is(scalar @{$all->{names}}, 11, '$filter alternateId eq');

my @times = sort values %created;
my $mid = $times[10];
my @want = sort grep { $created{$_} gt $mid } keys %created;

$all = list_all(query => '$filter='
    . uri("properties/created gt $mid and name ne 'Asset-1'")
    . '&$orderby=properties/created');
is_deeply([ sort @{$all->{names}} ], \@want,
    '$filter properties/created gt (and name ne)');

$all = list_all(query => '$orderby=' . uri('properties/created desc')
    . '&$filter=' . uri("name ge 'bulk' and name lt 'c'"));
my @desc = sort { $created{$b} cmp $created{$a} || lc $b cmp lc $a }
    keys %created;
is_deeply($all->{names}, \@desc, '$orderby properties/created desc');

$all = list_all(query => '$orderby=name%20desc&$top=2');
is_deeply($all->{names}, [ 'with-container', 'empty-body' ],
    '$orderby name desc, $top');

$all = list_all(query => '$filter='
    . uri('properties/created lt 2000-01-01'));
is_deeply($all->{names}, [], '$filter on a date: none');

$r = $t->api(GET => 'assets', undef,
    query => '$filter=' . uri("description eq 'x'"));
is($r->{status}, 400, '$filter on another field: 400');
is(code($r), 'BadRequest', '$filter error code');

$r = $t->api(GET => 'assets', undef, query => '$orderby=size');
is($r->{status}, 400, '$orderby unknown: 400');

sub uri {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

# --- actions --------------------------------------------------------------------

$r = $t->api(POST => 'assets/Asset-1/listStreamingLocators');
is($r->{status}, 200, 'listStreamingLocators: 200');
$oa->ok('ListStreamingLocatorsResponse', $r, 'listStreamingLocators: shape');
is_deeply($r->{json}{streamingLocators}, [], 'no locators yet');

$r = $t->api(PUT => 'streamingLocators/loc1',
    { properties => { assetName => 'Asset-1',
                      streamingPolicyName => 'Predefined_ClearStreamingOnly' } });
is($r->{status}, 201, 'a locator on the asset');
my $loc = $r->{json};

$r = $t->api(POST => 'assets/Asset-1/listStreamingLocators');
$oa->ok('ListStreamingLocatorsResponse', $r, 'listStreamingLocators: shape');
is(scalar @{$r->{json}{streamingLocators}}, 1, 'one locator');
is($r->{json}{streamingLocators}[0]{name}, 'loc1', 'its name');
is($r->{json}{streamingLocators}[0]{streamingLocatorId},
    $loc->{properties}{streamingLocatorId}, 'its id');

is($t->api(POST => 'assets/none/listStreamingLocators')->{status}, 404,
    'listStreamingLocators of a missing asset: 404');

for my $action (qw(listContainerSas getEncryptionKey)) {
    $r = $t->api(POST => "assets/Asset-1/$action",
        { permissions => 'Read', expiryTime => '2030-01-01T00:00:00Z' });
    is($r->{status}, 400, "$action: 400");
    is(code($r), 'NotSupported', "$action: NotSupported");
    like($r->{json}{error}{message}, qr/not supported/, "$action: message");
}

is($t->api(POST => 'assets/Asset-1/frobnicate')->{status}, 404,
    'unknown action: 404');

# --- delete ---------------------------------------------------------------------

my $id = $a1->{properties}{assetId};
my $media = $t->testdir() . "/data/assets/$id";
mkdir $media;
mkdir "$media/$_" for 1 .. 3;
for my $d (1 .. 3) {
    $t->write_file("data/assets/$id/$d/$_.m4s", 'x' x 100) for 1 .. 300;
}

$r = $t->api(DELETE => 'assets/Asset-1');
is($r->{status}, 200, 'DELETE: 200');
ok(!-e $media, 'media directory moved away at once');
ok($t->wait_for(sub {
    opendir my $dh, $t->testdir() . '/data/assets' or return 0;
    my @left = grep { !/^\.\.?$/ } readdir $dh;
    return !@left;
}, 10), 'media directory removed (900 files, in bounded steps)');

is($t->api(GET => 'assets/Asset-1')->{status}, 404, 'deleted: GET 404');
is($t->api(DELETE => 'assets/Asset-1')->{status}, 204, 'DELETE again: 204');
is($t->api(GET => 'streamingLocators/loc1')->{status}, 404,
    'its streaming locator went with it');

# --- persistence -----------------------------------------------------------------

sub snapshot {
    my $all = list_all() or return undef;
    my %s;
    for my $n (@{$all->{names}}) {
        my $a = $t->api(GET => "assets/$n")->{json};
        $s{$n} = join '|', map { $_ // '' }
            @{$a->{properties}}{qw(assetId created lastModified alternateId
                                   container)};
    }
    return \%s;
}

my $before = snapshot();
is(scalar keys %$before, 24, '24 assets before restart');

$t->stop();
$t->run();
is_deeply(snapshot(), $before, 'same after stop and start');

$t->api(PATCH => 'assets/bulk01', { properties => { description => 'k' } });
$before = snapshot();

ok(Sluice::ApiRes::kill9($t), 'kill -9');
$t->write_file('data/api/assets/damaged.json', '{"sluice":');
$t->write_file('data/api/assets/.bulk02.1.1.tmp', '{"half');
$t->expect_errors(qr/invalid resource file .*damaged\.json/);
$t->run();

is_deeply(snapshot(), $before, 'same after kill -9');
ok(!-e $t->testdir() . '/data/api/assets/.bulk02.1.1.tmp',
    'stale temporary file removed');
is($t->api(GET => 'assets/bulk01')->{json}{properties}{description}, 'k',
    'the last change survived');

$t->done_testing();
