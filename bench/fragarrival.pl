#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Are fragments late?  For bench/load-publishers.sh: polls the video
# media playlist of live events whose publisher's clock is known (the
# publisher sent its frame of timestamp t at ORIGIN + t), notes when
# each fragment is first listed, and compares that with the moment the
# frame that closes it (start + duration) was sent.
#
#   perl bench/fragarrival.pl --duration SECONDS [--interval 0.25]
#       [--late 1.0] [--out FILE.tsv] ORIGIN@URL...
#
# URL: an HLS CMAF master playlist (manifest(format=m3u8-cmaf)); its
# first video variant is polled every --interval seconds over one
# keep-alive connection (all the events in turn).  A fragment is
# identified by its start time (Fragments(video=T)); the track's time
# scale is found from two successive fragments and their EXTINF.  The
# moment it appeared is the middle of the last poll that did not list it
# and the first that did.  Fragments listed at the first poll are not
# timed.  delay = appeared - (ORIGIN + (start + duration) / scale): the
# time from its closing frame leaving the publisher to its being listed.
# A fragment is late when its delay exceeds --late seconds; one is
# missing when the fragments listed after it do not start where the one
# before it ends.
#
# Prints one JSON object: fragments timed, late, missing, delay median,
# p90, p99, max and min (s), polls, failed polls.  --out writes every
# observation (event, start, duration, appeared, delay).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use SluiceBench qw(resolve);

use Getopt::Long;
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(time sleep);

my %o = (duration => 30, interval => 0.25, late => 1.0, out => undef);
GetOptions(\%o, 'duration=f', 'interval=f', 'late=f', 'out=s')
    or die "usage: fragarrival.pl --duration S ORIGIN\@URL...\n";
die "ORIGIN\@URL expected\n" unless @ARGV;

my $ua = HTTP::Tiny->new(timeout => 5, keep_alive => 1,
    agent => 'sluice-bench-fragarrival/1');

my @ev;
for my $arg (@ARGV) {
    my ($origin, $url) = $arg =~ /^([\d.]+)\@(https?:.*)$/
        or die "$arg: ORIGIN\@URL expected\n";
    push @ev, { origin => $origin, master => $url, seen => {}, dur => {},
        prev => undef };
}

my %st = (polls => 0, failed_polls => 0);

# the first video variant of each master playlist
for my $e (@ev) {
    my $until = time() + 20;
    while (!$e->{url} && time() < $until) {
        my $r = $ua->get($e->{master});
        if ($r->{success}) {
            my @l = split /\r?\n/, $r->{content};
            for my $i (0 .. $#l - 1) {
                next unless $l[$i] =~ /^#EXT-X-STREAM-INF/;
                my $j = $i + 1;
                $j++ while $j < $#l && $l[$j] =~ /^(#|\s*$)/;
                $e->{url} = resolve($e->{master}, $l[$j]);
                last;
            }
        }
        sleep(0.5) unless $e->{url};
    }
    die "fragarrival: no video variant in $e->{master}\n" unless $e->{url};
}

sub poll {
    my ($e) = @_;

    my $t = time();
    my $r = $ua->get($e->{url});
    $st{polls}++;
    unless ($r->{success}) {
        $st{failed_polls}++;
        return;
    }
    my $t1 = time();

    my $d;
    for my $l (split /\r?\n/, $r->{content}) {
        if ($l =~ /^#EXTINF:([\d.]+)/) {
            $d = $1;
            next;
        }
        next unless $l =~ /Fragments\(video=(\d+)/;
        $e->{dur}{$1} //= $d;
        next if exists $e->{seen}{$1};
        $e->{seen}{$1} = defined $e->{prev} ? ($e->{prev} + $t1) / 2 : undef;
    }
    $e->{prev} = $t;
}

my $end = time() + $o{duration};
while (time() < $end) {
    my $t0 = time();
    poll($_) for @ev;
    my $left = $o{interval} - (time() - $t0);
    sleep($left) if $left > 0;
}

my (@delays, @rows);
my ($late, $missing) = (0, 0);

for my $k (0 .. $#ev) {
    my $e = $ev[$k];
    my @t = sort { $a <=> $b } keys %{$e->{seen}};
    next unless @t >= 2;

    # the time scale: ticks per second, from fragment starts and EXTINF
    my $scale = ($t[1] - $t[0]) / ($e->{dur}{$t[0]} || 1);
    for my $s (1000, 90000, 10_000_000, 48000, 44100) {
        $scale = $s, last if abs($scale / $s - 1) < 0.05;
    }

    for my $i (0 .. $#t) {
        my ($start, $at) = ($t[$i], $e->{seen}{$t[$i]});
        my $dur = $e->{dur}{$start} // 0;
        if ($i < $#t) {
            my $next = $t[$i + 1];
            # a fragment missing between these two
            $missing++ if ($next - $start) / $scale > $dur + 0.1;
        }
        next unless defined $at;
        my $delay = $at - ($e->{origin} + $start / $scale + $dur);
        push @delays, $delay;
        $late++ if $delay > $o{late};
        push @rows, sprintf("%d\t%.3f\t%.3f\t%.3f\t%.3f", $k,
            $start / $scale, $dur, $at, $delay);
    }
}

if ($o{out}) {
    open my $f, '>', $o{out} or die "$o{out}: $!\n";
    print $f "event\tstart_s\tduration_s\tappeared\tdelay_s\n";
    print $f "$_\n" for @rows;
    close $f;
}

my @v = sort { $a <=> $b } @delays;
my $pc = sub { @v ? $v[int($_[0] * $#v + 0.5)] : undef };
%st = (%st, events => scalar @ev, timed => scalar @v, late => $late,
    missing => $missing, late_s => $o{late},
    median => $pc->(0.5), p90 => $pc->(0.9), p99 => $pc->(0.99),
    max => @v ? $v[-1] : undef, min => @v ? $v[0] : undef);
$st{$_} = defined $st{$_} ? 0 + sprintf('%.3f', $st{$_}) : undef
    for qw(median p90 p99 max min);
print JSON::PP->new->canonical->encode(\%st), "\n";
