#!/usr/bin/perl

# Cloud DVR in a browser: hls.js (and dash.js, Shaka) play a streaming
# locator of an asset being recorded, seek back 20 s inside the DVR window
# and keep playing from there (t/browser/play.js --seek-back).

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

Sluice::Playback::config($t);
$t->run();

my $token = '99998888777766669999888877776666';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');
ok($t->create_live_event('ev1', token => $token), 'ev1 running')
    or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
    manifestName => 'dvr', archiveWindowLength => 'PT5M',
    rewindWindowLength => 'PT2M');

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

my $smooth = $paths->{SmoothStreaming}[0] // '/none';
ok(Sluice::Playback::wait_media($t, $smooth, 40), 'recording');

# 40 s of window before the players start
ok(Sluice::Playback::wait_fragments($t, $smooth, 1, seconds => 40,
    timeout => 90), '40 s recorded');

my ($hls) = grep { /m3u8-aapl\)/ } @{ $paths->{Hls} // [] };
my ($cmaf) = grep { /m3u8-cmaf/ } @{ $paths->{Hls} // [] };
my ($dash) = grep { /mpd-time-cmaf/ } @{ $paths->{Dash} // [] };

my @cases = ([ 'hls.js HLS TS', 'hls', "$hls.m3u8" ],
             [ 'hls.js HLS CMAF', 'hls', "$cmaf.m3u8" ],
             [ 'dash.js DASH CMAF', 'dash', "$dash.mpd" ],
             [ 'Shaka DASH CMAF', 'shaka', "$dash.mpd" ]);

# independent players, three at a time
my @results = Sluice::Players::play_many($t, [ map {
    [ $_->[1], Sluice::Playback::url($t, $_->[2]), seconds => 6,
      seek_back => 20, timeout => 90 ] } @cases ]);

for my $c (@cases) {
    my ($name, $player, $path) = @$c;
    my $r = shift @results;

    ok($r->{ok}, "$name: plays 6 s after seeking back 20 s")
        or diag(JSON::PP->new->canonical->encode($r));
    ok(defined $r->{seekTo} && defined $r->{seekFrom}
       && $r->{seekFrom} - $r->{seekTo} > 15,
       "$name: the seek went back more than 15 s")
        or diag(JSON::PP->new->canonical->encode($r));
}

$t->stop_publisher($pub);

$t->done_testing();

