#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Players seeking into a hole of a recorded asset's timeline (issue 16,
# "Shaka Player stalled once on an asset with gaps"): the output still
# recording with a 1-minute archive window, media, a hole of 6 s, media,
# a hole of 20 s, then media on; once the window has slid past the first
# hole, its start is in the media before the second hole or in that hole,
# which begins the window's second DASH Period (a Period starts where the
# media before its hole ended).  Shaka (DASH, default settings, twice)
# and dash.js seek back to the start of the window (t/browser/play.js
# --seek-back: the seekable start + 1 s, as the window slides) and must
# play 20 s from there, jumping the hole to the media after it.
#
# Needs chromium and the npm packages of t/browser: `npm ci --prefix
# t/browser` (./build.sh does it); skipped otherwise.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;
use Sluice::Record;

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

Sluice::Playback::config($t);
$t->run();

my $token = 'a5a5a5a5a5a5a5a5a5a5a5a5a5a5a127';
ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');
my $url = Sluice::Record::event($t, 'holes', $token);
ok($url, 'live event') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'holes', 'o1', 'a1', 'loc',
    manifestName => 'show', archiveWindowLength => 'PT1M');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($base) = ($smooth // '') =~ m{^(/[^/]+/show\.ism)/manifest$};
ok($base, 'locator') or BAIL_OUT('no locator');

# two publishes of 8 s, the encoder down about 6 s after the first and
# 20 s after the second (the event's timeline follows the wall clock, so
# each outage is a hole), then a third that goes on

my $pub = Sluice::Record::publish_with_holes($t, 'holes', $url, 6, 20);

# live: the window slides past the first hole

my $http = 'http://127.0.0.1:' . $t->port(8080) . $base;
my $dash = "$http/manifest(format=mpd-time-cmaf)";

my ($vpath, $vpl);
ok($t->wait_for(sub {
    my $m = $t->get("$base/manifest(format=m3u8-cmaf)")->{body} // '';
    ($vpath) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    $vpl = $vpath ? $t->get("$base/$vpath")->{body} // '' : '';
    return $vpl =~ /^#EXT-X-DISCONTINUITY-SEQUENCE:1$/m
        && $vpl =~ /^#EXT-X-DISCONTINUITY$/m;
}, timeout => 120, interval => 1),
    'live: the window past the first hole, the second in it')
    or diag($vpl);
my $mpd = $t->get("$base/manifest(format=mpd-time-cmaf)")->{body} // '';
my @periods = $mpd =~ /<Period\b/g;
is(scalar @periods, 2, 'live: two Periods in the window') or diag($mpd);

# the three at once: the window slides a second a second, and the
# players must seek while its start is before the end of the second hole

my @res = Sluice::Players::play_many($t, [
    map { [ @$_, timeout => 90 ] }
        [ 'shaka', $dash, seconds => 20, seek_back => 120 ],
        [ 'shaka', $dash, seconds => 20, seek_back => 120 ],
        [ 'dash', $dash, seconds => 20, seek_back => 120 ] ], jobs => 3);

ok($res[2]{ok}, 'live: dash.js seeks to the start of the window and plays '
   . '20 s across the hole') or diag(Sluice::Players::json($res[2]));

for my $k (0, 1) {
    ok($res[$k]{ok}, 'live: Shaka DASH seeks to the start of the window '
       . "and plays 20 s across the hole (run $k)")
        or diag(Sluice::Players::json($res[$k]));
}

# a seek did land in the hole: a player went on past it (play.js's
# seekJumped), or the suite did not check what it says (where each
# player's seek lands depends on when it starts as the window slides: in
# a clean-clone run only one of the three did)
my @jumped = map { $_->{seekJumped} // () } @res;
ok(@jumped >= 1, "a seek target was in the hole (jumped: @jumped s)");

$t->done_testing();
