#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Players switch between the layers of a live ladder without a stall:
# the preview of a live event fed three renditions (1280x720, 960x540,
# 640x360, as a live encoder's layers come back) is played by hls.js
# (HLS fMP4 and TS), dash.js (DASH CMAF) and Shaka Player (DASH CMAF) in
# headless Chromium with play.js --switch 3: the adaptive choice off, the
# player is made to switch video quality three times over the heights
# (top -> bottom -> top ...), each switch rendered (the player's event,
# the <video>'s videoHeight) before the next.  Each must render three
# switches, show the three heights of the ladder and nothing else, and
# never wait more than 1 s ('waiting' on the <video>, seeks aside).
#
# Needs chromium and the npm packages of t/browser: `npm ci --prefix
# t/browser` (./build.sh does it); skipped otherwise.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new();
Sluice::Players::skip_unless_ready($t);

$t->write_sluice_conf(
    http => 'sluice_transition_time 0s;',
    location => "sluice_live_window 60s;\naio threads=sluice;");

my @ladder = Sluice::Ingest::fixture('ladder', duration => 10, gop => 2);
my @heights = (720, 540, 360);

$t->run();

my $token = 'c0ffeec0ffeec0ffeec0ffeec0ffee93';
my $loc = $t->create_preview_event('switch1', $token);
ok($loc, 'live event running with a preview locator')
    or diag('no live event: ' . ($t->read_file('error.log') // ''));
unless ($loc) {
    $t->done_testing();
    exit;
}

my $base = "/$loc/preview.ism";
my $http = 'http://127.0.0.1:' . $t->port(8080) . $base;

my $pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                   . "/live/$token/stream$_" } 1 .. 3 ]);

# players start a few fragments behind the live edge: wait for 5

ok(Sluice::Playback::wait_fragments($t, "$base/manifest", 5),
   'fragments available') or diag($t->read_file('error.log'));

my $n = 3;
my $mpd = "$http/manifest(format=mpd-time-cmaf).mpd";
my @cases = (
    [ 'hls.js HLS fMP4',   'hls',   "$http/manifest(format=m3u8-cmaf).m3u8" ],
    [ 'hls.js HLS TS',     'hls',   "$http/manifest(format=m3u8-aapl).m3u8" ],
    [ 'dash.js DASH CMAF', 'dash',  $mpd ],
    [ 'Shaka DASH CMAF',   'shaka', $mpd ],
);

# all four at once: they mostly wait for media in real time.  dash.js
# renders a switch down after the 8 s or more it has buffered (its live
# delay), two of the three switches are down ones: it took up to 55 s in
# all on a loaded machine (the others 25 to 38 s)
my @results = Sluice::Players::play_many($t,
    [ map { [ $_->[1], $_->[2], seconds => 6, timeout => 90,
              switch => $n ] } @cases ],
    jobs => scalar @cases);

for my $c (@cases) {
    my ($name, $player, $url) = @$c;
    my $r = shift @results;
    my $why = Sluice::Players::json($r);

    ok($r->{ok}, "$name: $n switches rendered, no stall over 1 s")
        or diag($why);

    my @sw = @{ $r->{switches} // [] };
    cmp_ok(scalar @sw, '>=', $n, "$name: $n switches or more")
        or diag($why);
    my %ladder = map { $_ => 1 } @heights;
    ok(@sw && !grep({ !$ladder{$_->{from}} || !$ladder{$_->{to}}
                      || $_->{from} == $_->{to} } @sw),
       "$name: each switch from one height of the ladder to another")
        or diag($why);
    # the heights switched between, and those the player rendered (the
    # switches under load can go back and forth between two of them)
    my %at = map { ($_->{from} => 1, $_->{to} => 1) } @sw;
    $at{$_} = 1 for grep { $ladder{$_} } @{ $r->{heightsSeen} // [] };
    cmp_ok(scalar keys %at, '>=', 3, "$name: across three heights")
        or diag($why);

    is(join(',', @{ $r->{heightsSeen} // [] }), join(',', @heights),
       "$name: the video showed the ladder's heights, no other")
        or diag($why);
    cmp_ok($r->{maxStall} // 99, '<=', 1,
           "$name: no stall over 1 s (" . ($r->{stalls} // '?')
           . ' stalls, ' . ($r->{stallSeconds} // '?') . ' s)')
        or diag($why);
    note("$name: " . join(', ', map {
        "$_->{from}->$_->{to} in $_->{renderedAfter} s" } @sw)
        . '; stalls ' . ($r->{stalls} // '?') . ', seek waits '
        . ($r->{seekWaits} // '?') . ', ' . ($r->{elapsed} // '?') . ' s');
}

$t->stop_publisher($pub);

$t->done_testing();
