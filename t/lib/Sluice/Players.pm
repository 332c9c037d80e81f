package Sluice::Players;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::Players - real web players (hls.js, dash.js, Shaka) in headless
Chromium, through F<t/browser/play.js>

=head1 SYNOPSIS

    my $t = Test::Sluice->new();
    Sluice::Players::skip_unless_ready($t);
    ...
    my $r = Sluice::Players::play($t, 'hls', $url, seconds => 6);
    ok($r->{ok}, 'plays 6 s') or diag(Sluice::Players::json($r));

    my $h = Sluice::Players::play_start($t, 'dash', $url, seconds => 16,
        timeout => 45);
    Sluice::Players::wait_playing($t, $h, 30);   # the video advances
    ...                                          # (encoder reconnect)
    $r = Sluice::Players::play_finish($h);

    # three quality switches, each rendered, no stall over 1 s
    $r = Sluice::Players::play($t, 'dash', $url, switch => 3,
        timeout => 75);
    ok($r->{ok}) or diag(Sluice::Players::json($r));
    # $r->{switches}: [ { from => 720, to => 540, at, renderedAt,
    #                     renderedAfter }, ... ]; $r->{heightsSeen}

    # independent players, three at a time, results in the cases' order
    my @r = Sluice::Players::play_many($t,
        [ [ 'hls', $url1 ], [ 'dash', $url2, seconds => 8 ], ... ]);

=head1 FUNCTIONS

=over

=item skip_unless_ready($t)

skips the whole file unless chromium (C<SLUICE_CHROMIUM>, default
F</usr/bin/chromium>), node, ffmpeg and the npm packages of t/browser
(C<npm ci --prefix t/browser>, done by C<./build.sh deps>) are there.

=item not_ready()

why the players cannot run here (the reason skip_unless_ready skips
with), or undef: for a file that plays only some of its checks.

=item play_start($t, $player, $url, %o)

starts C<node t/browser/play.js --verbose> in the background.  Options:
C<seconds> (of playback to reach, default 6), C<timeout> (play.js's hard
limit, default 60), C<seek_back> (play.js C<--seek-back>), C<start_mark>
(play.js C<--start-mark>: a file the test creates later; the progress is
counted from there), C<switch> (play.js C<--switch N>: L</QUALITY
SWITCHES>), C<args> (more play.js arguments, e.g. C<--clearkey>,
C<--license>; C<--low-latency>, C<--latency-samples N>, C<--live-delay S>:
the result then has C<latency> and C<requests>, t/107).  Its stderr
(progress, with C<--verbose>) goes to F<TESTDIR/play-N.log>.  Returns a
handle.

=item wait_playing($t, $h, $timeout)

waits until the player's video is playing (play.js logged C<playing
from>) or play.js ended; true when playing.

=item play_finish($h)

waits for play.js's result: its JSON line decoded (C<ok>, C<advanced>,
C<width>, C<height>, C<videoFrames> (the frames decoded: the <video>'s
totalVideoFrames), C<droppedFrames>, C<startTime>, C<seekable>,
C<duration>, C<seekFrom>, C<seekTo> ...), or C<< { ok => 0, error => ... } >> with the tail of its
log when there is no result.

The result's C<stalls> (C<waiting> events of the <video> once it played,
not those of a seek), C<stallSeconds>, C<maxStall> and C<heightsSeen>
(the distinct videoHeight values while the video advanced, highest
first) are there with every run.

=item play($t, $player, $url, %o)

C<play_finish(play_start(...))>.

=item play_many($t, \@cases, %o)

plays independent cases (each C<[$player, $url, %play_start_options]>)
with at most C<jobs> players at once (default C<SLUICE_PLAYERS_JOBS>, or
3: each headless Chromium takes about a third of a core while it plays on
the 2-core machine); returns their results (as C<play_finish>) in the
order of @cases.  Each case keeps its own C<seconds> and C<timeout>: the
players do not share anything but the machine.

=item finished($h)

true once play.js has exited (or its IPC::Run timer expired).

=item json($r)

a result as canonical JSON, for diagnostics.

=back

=head1 QUALITY SWITCHES

C<< switch => N >> (play.js C<--switch N>, N >= 2): once the video has
played 1 s, the player's adaptive choice is turned off and it is made to
switch video quality N times over the distinct heights of its video
levels, in a cycle top -> ... -> bottom -> ... -> top that skips the
height being shown and the one the player last reported switching to
(an adaptive switch of its own not shown yet), so that each switch is
one the player did not choose.  A switch is asked for only when the
previous one is rendered: after the request, the player reported it
(hls.js C<LEVEL_SWITCHED> after C<hls.nextLevel>; dash.js
C<QUALITY_CHANGE_RENDERED> after C<setRepresentationForTypeById> with
C<streaming.abr.autoSwitchBitrate.video> false, no buffer replacement;
Shaka C<variantchanged> after C<abr.enabled> false and
C<selectVariantTrack(track, true, 2)>) and the <video>'s videoHeight is
then the new height.  The run succeeds once N switches are rendered, 2 s
played after the last and C<seconds> since the start; C<ok> is false
with an C<error> saying why when fewer than N are rendered within the
timeout (which switch was pending, whether the player's event came) or
as soon as one stall lasts more than 1 s.  C<switches> lists the
rendered ones: C<< { from, to, at, renderedAt, renderedAfter } >>
(heights; currentTime when asked for and when rendered; wall seconds in
between).  dash.js renders a switch down only after the media it has
buffered (about its live delay, 8 s with 2 s fragments): give it a
C<timeout> of a minute or more for three switches.

=cut

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec;
use IPC::Run ();
use JSON::PP ();
use Test::More ();

my $BROWSER = File::Spec->catdir(dirname(__FILE__), '..', '..', 'browser');
my $SEQ = 0;

sub skip_unless_ready {
    my ($t) = @_;

    $t->has_program('ffmpeg', 'node');

    my $why = not_ready();
    $t->skip_all($why) if $why;

    return $t;
}

# why the players cannot run here (no Chromium, no npm packages), or undef
sub not_ready {
    my $chromium = $ENV{SLUICE_CHROMIUM} || '/usr/bin/chromium';
    return "$chromium not found (apt-get install chromium)"
        unless -x $chromium;
    for my $m (qw(playwright-core hls.js dashjs shaka-player)) {
        return "t/browser/node_modules/$m missing:"
               . ' run npm ci --prefix t/browser'
            unless -d "$BROWSER/node_modules/$m";
    }
    return undef;
}

sub play_start {
    my ($t, $player, $url, %o) = @_;

    my $timeout = $o{timeout} // 60;
    my $n = ++$SEQ;
    my $p = { out => '', log => $t->testdir . "/play-$n.log", n => $n,
              timeout => $timeout };

    $p->{h} = IPC::Run::start([ 'node', "$BROWSER/play.js", '--verbose',
        '--player', $player, '--url', $url,
        '--seconds', $o{seconds} // 6, '--timeout', $timeout,
        (defined $o{seek_back} ? ('--seek-back', $o{seek_back}) : ()),
        (defined $o{start_mark} ? ('--start-mark', $o{start_mark}) : ()),
        (defined $o{switch} ? ('--switch', $o{switch}) : ()),
        @{ $o{args} // [] } ],
        '<', \undef, '>', \$p->{out}, '2>', $p->{log},
        IPC::Run::timeout($timeout + 30));
    return $p;
}

sub wait_playing {
    my ($t, $p, $timeout) = @_;

    my $r = $t->wait_for(sub {
        return 'playing' if ($t->read_file($p->{log}) // '') =~ /playing from/;
        eval { $p->{h}->pump_nb() };
        return 'ended' unless $p->{h}->pumpable();
        return undef;
    }, timeout => $timeout // 30, interval => 0.2,
       what => "player $p->{n} playing");

    return defined $r && $r eq 'playing';
}

sub play_finish {
    my ($p) = @_;

    eval { $p->{h}->finish() };
    my $e = $@;
    if ($e) {
        eval { $p->{h}->kill_kill(grace => 2) };
    }
    my ($line) = grep { /^\{/ } reverse split /\n/, $p->{out};
    my $r = eval { JSON::PP::decode_json($line // '') };
    return $r if $r;

    my @log = split /\n/, (_slurp($p->{log}) // '');
    splice @log, 0, @log - 30 if @log > 30;
    return { ok => 0, error => "play.js: $e " . join("\n", @log),
             stdout => $p->{out} };
}

sub play {
    my ($t, @args) = @_;

    return play_finish(play_start($t, @args));
}

sub finished {
    my ($p) = @_;

    return 1 unless eval { $p->{h}->pump_nb(); 1 };
    return $p->{h}->pumpable() ? 0 : 1;
}

sub play_many {
    my ($t, $cases, %o) = @_;

    my $jobs = $o{jobs} || $ENV{SLUICE_PLAYERS_JOBS} || 3;
    my @todo = 0 .. $#$cases;
    my (%running, @results);

    while (@todo || %running) {
        while (@todo && keys %running < $jobs) {
            my $i = shift @todo;
            $running{$i} = play_start($t, @{$cases->[$i]});
        }

        # a player ends within its own timeout (play.js's hard limit,
        # and IPC::Run's 30 s after it)
        my $max = 0;
        for (values %running) {
            $max = $_->{timeout} if $_->{timeout} > $max;
        }
        my @done = @{ $t->wait_for(sub {
            my @d = grep { finished($running{$_}) } keys %running;
            return @d ? \@d : undef;
        }, timeout => $max + 40, interval => 0.2,
           what => 'one of the players to end') // [ keys %running ] };

        for my $i (@done) {
            $results[$i] = play_finish(delete $running{$i});
        }
    }

    return @results;
}

sub json {
    my ($r) = @_;

    return JSON::PP->new->canonical->encode($r);
}

sub _slurp {
    my ($f) = @_;

    open my $fh, '<', $f or return undef;
    local $/;
    return scalar <$fh>;
}

1;
