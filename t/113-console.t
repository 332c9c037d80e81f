#!/usr/bin/perl

# The web console (console/, as ./build.sh build puts it in
# build/console/ with its players) in headless Chromium, driven by
# t/browser/console.js with the keyboard and the mouse: a wrong key shows
# 401, a reader key 403 on a creation; the owner key creates and starts a
# live event; while ffmpeg pushes to the ingest URL the console lists,
# its ingest health (getStatus, heartbeats) shows the bitrate and the
# graph; the preview plays in hls.js, dash.js (through an account filter
# chosen there) and Shaka; the lists show what was made; a locator made
# in the console for an asset being recorded plays; stop (refused with
# live outputs, then with removeOutputsOnStop) and delete.  Any console
# error, page error or failed request but the provoked ones fails.
# Screenshots: TESTDIR/screenshots, copied to build/screenshots/113-console.

use strict;
use warnings;

use Test::More;
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use IPC::Run ();
use JSON::PP ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Players ();

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

my $console = $ENV{SLUICE_CONSOLE} // "$Test::Sluice::ROOT/build/console";
$t->skip_all("$console/lib/hls.min.js missing: run ./build.sh build")
    unless -f "$console/lib/hls.min.js";

my $reader = 'r3ad3r-r3ad3r-r3ad3r-r3ad3r-r3ad';
my $event = 'console1';
my $token = 'c0n5013c0n5013c0n5013c0n5013c0n';
my $asset = 'console-archive';
my $locator = 'console-loc';
my $filter = 'console-filter';

$t->write_sluice_conf(sluice => <<"EOF", server => <<"EOF2");
sluice_zone sluice 16m;
sluice_data_path data;
sluice_account %%ACCOUNT%%;
sluice_api_key %%API_KEY%%;
sluice_api_key viewer $reader role=reader;
sluice_ingest_url rtmp://127.0.0.1:%%PORT_1935%%;
sluice_preview_url http://127.0.0.1:%%PORT_8080%%;
sluice_heartbeat_interval 2s;
EOF
location /console/ {
    alias $console/;
    types {
        text/html html;
        text/css css;
        text/javascript js;
    }
    add_header Cache-Control no-cache;
}
EOF2

$t->plan(28);
$t->run();

# an account filter to choose in the preview (keeps every track)
is($t->api(PUT => "accountFilters/$filter",
    { properties => { firstQuality => { bitrate => 100000 } } })->{status},
    201, 'account filter');

my $base = 'http://127.0.0.1:' . $t->port(8080);
my $r = $t->http(GET => '/console/');
is($r->{status}, 200, 'the console is served');
like($r->{headers}{'content-type'} // '', qr{^text/html},
    'index.html as text/html');
$r = $t->http(GET => '/console/js/main.js');
like($r->{headers}{'content-type'} // '', qr{^text/javascript},
    'its modules as JavaScript');
is($t->http(GET => '/console/lib/dash.all.min.js')->{status}, 200,
    'the players from npm are served locally');

my $shots = $t->testdir . '/screenshots';
my $log = $t->testdir . '/console.log';
my $out = '';
my $h = IPC::Run::start([ 'node', "$FindBin::Bin/browser/console.js",
    '--url', "$base/console/", '--key', $t->api_key,
    '--reader-key', $reader, '--event', $event, '--token', $token,
    '--asset', $asset, '--locator', $locator, '--filter', $filter,
    '--shots', $shots,
    '--timeout', 110 ],
    '<', \undef, '>', \$out, '2>', $log, IPC::Run::timeout(140));

# what the user does outside the browser: push once the console started
# the event, and record it into an asset (a locator needs a recording)
my $running = $t->wait_for(sub {
    eval { $h->pump_nb() };
    return 0 unless $h->pumpable();
    return $t->live_event_state($event) eq 'Running';
}, timeout => 60, interval => 0.25, what => "$event Running");
ok($running, 'the console started the live event');

my $ev = $t->api(GET => "liveEvents/$event")->{json} // {};
my ($url) = map { $_->{url} } @{$ev->{properties}{input}{endpoints} // []};
is($url, 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token",
    'created with the token typed in');

my $pub = $t->publish(lavfi => { duration => 120, vbitrate => '800k',
                                 abitrate => '128k', gop => 2 },
                      url => ($url // 'rtmp://none') . '/cam1')
    if $running;

is($t->api(PUT => "assets/$asset", { properties => {} })->{status}, 201,
    'asset');
$r = $t->api(PUT => "liveEvents/$event/liveOutputs/archive",
    { properties => { assetName => $asset, archiveWindowLength => 'PT5M',
                      manifestName => 'archive' } });
is($r->{status}, 201, 'live output recording it') or diag($r->{body});

eval { $h->finish() };
my $err = $@;
eval { $h->kill_kill(grace => 2) } if $err;
my ($line) = grep { /^\{/ } reverse split /\n/, $out;
my $res = eval { JSON::PP::decode_json($line // '') }
    // { ok => 0, error => "no result ($err)", steps => [] };

my %step = map { $_->{name} => $_ } @{$res->{steps} // []};
for my $s (qw(keyboard reader create start ingest health preview-hls
              preview-dash preview-shaka endpoint locator lists stop
              delete))
{
    my $ok = $step{$s} && $step{$s}{ok};
    ok($ok, "console: $s") or diag(JSON::PP->new->canonical->encode(
        $step{$s} // { missing => $s, error => $res->{error} }));
}
is_deeply($res->{problems} // ['no result'], [],
    'no console error, page error or unexpected failed request')
    or diag(join "\n", @{$res->{problems} // []});
ok($res->{ok}, 'console run ok') or diag($res->{error} // '',
    "\n", tail($log));

# the console did what it showed: the event is gone, the locator made
is($t->api(GET => "liveEvents/$event")->{status}, 404, 'event deleted');
is($t->api(GET => "streamingLocators/$locator")->{json}{properties}
       {assetName} // '', $asset, 'locator of the asset');

# screenshots kept with the test output, and outside the test directory
my @png = glob("$shots/*.png");
ok(@png >= 8, scalar(@png) . ' screenshots in ' . $shots);
my $keep = "$Test::Sluice::ROOT/build/screenshots/113-console";
remove_tree($keep);
make_path($keep);
copy($_, $keep) for @png;
note("screenshots: $keep");

$t->stop_publisher($pub) if $pub;

sub tail {
    my ($f) = @_;
    my @l = split /\n/, ($t->read_file($f) // '');
    splice @l, 0, @l - 40 if @l > 40;
    return join "\n", @l;
}
