#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# When do fragments appear?  For bench/transcode.sh: polls the HLS media
# playlists of the video renditions of two live events fed the same
# frames at the same moments (one publisher, ffmpeg's tee muxer): a
# pass-through event (--ref) and a live encoding event (--test), and
# notes, per fragment start time, when each rendition first listed it.
#
#   perl bench/fragdelay.pl --ref MASTER_URL --test MASTER_URL
#       --duration SECONDS [--interval 0.1] [--layers 6]
#       [--origin UNIX_TIME] [--out FILE.tsv]
#
# MASTER_URL: an HLS master playlist (manifest(format=m3u8-cmaf)); each
# #EXT-X-STREAM-INF (video) variant is polled every --interval seconds
# over one keep-alive connection.  A fragment is identified by its start
# time (Fragments(video=T), 90 kHz); the moment it appeared is taken as
# the middle of the last poll that did not list it and the first that
# did (so within +-interval/2 plus the time of one round of requests).
# Fragments already listed at the first poll are not timed.
#
# Prints, for the fragments timed in both events: per encoded layer and
# for the whole ladder (per fragment, its last layer), the delay after
# the pass-through fragment of the same start time (median, 90th
# percentile, max, seconds).  With --origin (the wall-clock time the
# publisher started; its frame of timeline time t left at origin + t
# with ffmpeg -re), also the delay of each event after the frame that
# closes the fragment (start + duration) was sent: an upper bound, since
# ffmpeg's clock starts a little after the process.  Last line: one JSON
# object with the same figures.  --out writes every observation
# (rendition, start ms, duration ms, appeared at).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use SluiceBench qw(resolve);

use Getopt::Long;
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(time sleep);

my %o = (ref => '', test => '', duration => 60, interval => 0.1,
    layers => 6, origin => undef, out => undef);
GetOptions(\%o, 'ref=s', 'test=s', 'duration=f', 'interval=f',
    'layers=i', 'origin=f', 'out=s')
    or die "usage: fragdelay.pl --ref URL --test URL --duration S\n";
die "--ref and --test master playlist URLs needed\n"
    unless $o{ref} =~ m{^https?://} && $o{test} =~ m{^https?://};

my $ua = HTTP::Tiny->new(timeout => 10, keep_alive => 1,
    agent => 'sluice-bench-fragdelay/1');

# the video variants of a master playlist: [ label, url ], top first
sub variants {
    my ($url) = @_;

    my $r = $ua->get($url);
    return () unless $r->{success};

    my @lines = split /\r?\n/, $r->{content};
    my @v;
    for my $i (0 .. $#lines) {
        next unless $lines[$i] =~ /^#EXT-X-STREAM-INF:(.*)/;
        my $a = $1;
        my ($res) = $a =~ /RESOLUTION=(\d+x\d+)/;
        my ($bw) = $a =~ /\bBANDWIDTH=(\d+)/;
        my $j = $i + 1;
        $j++ while $j <= $#lines && $lines[$j] =~ /^(#|\s*$)/;
        next if $j > $#lines;
        push @v, [ $res // "bw$bw", resolve($url, $lines[$j]), $bw // 0 ];
    }
    return sort { $b->[2] <=> $a->[2] } @v;
}

my (@ref, @test);
my $until = time() + 60;
while (time() < $until) {
    @ref = variants($o{ref});
    @test = variants($o{test});
    last if @ref >= 1 && @test >= $o{layers};
    sleep(0.5);
}
die "fragdelay: the events do not have their renditions (ref "
    . scalar(@ref) . ", test " . scalar(@test) . " of $o{layers})\n"
    unless @ref >= 1 && @test >= $o{layers};
@ref = ($ref[0]);

my @pl = ((map { [ "ref", $_->[1] ] } @ref),
          (map { [ $_->[0], $_->[1] ] } @test));

my (%seen, %dur, %last_poll, %first_poll);

sub poll {
    my ($label, $url) = @_;

    my $t = time();
    my $r = $ua->get($url);
    return unless $r->{success};

    my $prev = $last_poll{$label};
    $last_poll{$label} = $t;

    my $d;
    for my $l (split /\r?\n/, $r->{content}) {
        if ($l =~ /^#EXTINF:([\d.]+)/) {
            $d = $1 * 1000;
            next;
        }
        next unless $l =~ /Fragments\(video=(\d+)/;
        my $ms = int($1 / 90 + 0.5);
        $dur{$label}{$ms} //= $d;
        next if exists $seen{$label}{$ms};
        # listed at the first poll: it appeared before we looked
        $seen{$label}{$ms} = defined $prev ? ($prev + $t) / 2 : undef;
    }
}

my $end = time() + $o{duration};
while (time() < $end) {
    my $t0 = time();
    poll(@$_) for @pl;
    my $left = $o{interval} - (time() - $t0);
    sleep($left) if $left > 0;
}

if ($o{out}) {
    open my $f, '>', $o{out} or die "$o{out}: $!\n";
    print $f "rendition\tstart_ms\tduration_ms\tappeared\n";
    for my $l (sort keys %seen) {
        for my $ms (sort { $a <=> $b } keys %{$seen{$l}}) {
            my $s = $seen{$l}{$ms};
            printf $f "%s\t%d\t%s\t%s\n", $l, $ms, $dur{$l}{$ms} // '',
                defined $s ? sprintf('%.3f', $s) : '';
        }
    }
    close $f;
}

sub stats {
    my @v = sort { $a <=> $b } @_;
    return { n => 0 } unless @v;
    return { n => scalar @v, median => $v[$#v / 2],
        p90 => $v[int(0.9 * $#v + 0.5)], max => $v[-1], min => $v[0] };
}

sub fmt {
    my ($s) = @_;
    return 'no fragment timed' unless $s->{n};
    return sprintf('median %.2f s, p90 %.2f s, max %.2f s (min %.2f, %d'
        . ' fragments)', @$s{qw(median p90 max min n)});
}

my %res = (layers => {}, interval => $o{interval});
my %ladder;         # start ms -> the last layer's appearance
my %complete;       # start ms -> layers timed

for my $v (@test) {
    my $l = $v->[0];
    my @d;
    for my $ms (keys %{$seen{ref}}) {
        my ($r, $t) = ($seen{ref}{$ms}, $seen{$l}{$ms});
        next unless defined $r && defined $t;
        push @d, $t - $r;
        $ladder{$ms} = $t if !defined $ladder{$ms} || $t > $ladder{$ms};
        $complete{$ms}++;
    }
    $res{layers}{$l} = stats(@d);
    printf "layer %-9s after pass-through: %s\n", $l, fmt($res{layers}{$l});
}

my @full = grep { $complete{$_} == @test } keys %complete;
$res{ladder} = stats(map { $ladder{$_} - $seen{ref}{$_} } @full);
printf "whole ladder after pass-through: %s\n", fmt($res{ladder});

if (defined $o{origin}) {
    # the frame that closes fragment [t, t + d) left at origin + t + d
    my $closing = sub {
        my ($l, $ms, $at) = @_;
        my $d = $dur{$l}{$ms} // return undef;
        return $at - ($o{origin} + ($ms + $d) / 1000);
    };
    $res{ref_abs} = stats(grep { defined } map {
        $closing->('ref', $_, $seen{ref}{$_}) } @full);
    $res{ladder_abs} = stats(grep { defined } map {
        $closing->('ref', $_, $ladder{$_}) } @full);
    printf "pass-through after its closing frame was sent: %s\n",
        fmt($res{ref_abs});
    printf "whole ladder after the closing frame was sent: %s\n",
        fmt($res{ladder_abs});
}

my @fd = grep { defined } map { $dur{ref}{$_} } @full;
$res{fragment_ms} = @fd ? (sort { $a <=> $b } @fd)[$#fd / 2] : undef;
$res{missing} = scalar(grep { defined $seen{ref}{$_} } keys %{$seen{ref}})
    - scalar(@full);

print JSON::PP->new->canonical->encode(\%res), "\n";
exit(@full ? 0 : 1);
