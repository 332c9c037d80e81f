#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# An LL-HLS "viewer" for bench/ll-latency.sh: follows one low-latency
# media playlist (m3u8-cmaf of a LowLatencyV2 event) as hls.js does in
# low-latency mode, without decoding: a blocking playlist reload for the
# part of the preload hint (_HLS_msn=M&_HLS_part=P), then a GET of every
# part it had not fetched yet (at the start, only the parts of the
# segment in progress).
#
#   perl bench/llviewer.pl --url MEDIA_PLAYLIST_URL --duration SECONDS
#                          [--watch DIR] [--out FILE.tsv]
#
# --watch DIR (the playlist's track directory, where Sluice appends the
# parts of a fragment to {fragment time}.m4p, one write() each): also
# measures, for each blocking reload that had to wait, the time from the
# newest part of the answer being written (the first IN_MODIFY of its
# parts file after which the file holds the part's last byte: its end
# is the sum of the sizes of the fragment's parts up to it, as this
# viewer fetched them; or its fragment's {fragment time}.m4s appearing,
# IN_MOVED_TO, if that came first), seen by a child process that
# timestamps each inotify event as it reads it and the file's size then,
# to the playlist answering the reload (the response read, HTTP::Tiny, one keep-alive
# connection).  The newest part, not the one asked for: a reload for the
# preload hint's part can be answered by a later one (the hint named a
# part of a fragment that then closed without it; RFC 8216bis 6.2.5.2).
# Reloads sent after that file was seen count as "notparked", those
# without a new part as "nonew", those answered before the child saw the
# file as "late" (the watcher woke after nginx had answered: a delay
# under the watcher's own wake-up time, left out, which makes the
# figures higher, not lower), those whose write it never saw (or whose
# fragment's earlier parts this viewer did not fetch: the first ones) as
# "unseen"; none gives a sample.  --out writes the samples: ms, the file,
# when the reload was sent, the file seen, the answer read.
#
# Prints one JSON line at the end: reloads, parts, bytes, errors, and
# with --watch the samples' count, median, p90, p99 and max (ms).  Exit
# status 0 when parts were fetched and no request failed.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use SluiceBench qw(resolve);

use Getopt::Long;
use HTTP::Tiny;
use IO::Handle;
use IO::Select;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time);

my %o = (url => '', duration => 60, watch => undef, out => undef);
GetOptions(\%o, 'url=s', 'duration=f', 'watch=s', 'out=s')
    or die "usage: llviewer.pl --url URL --duration S [--watch DIR]\n";
die "--url (an LL-HLS media playlist) needed\n"
    unless $o{url} =~ m{^https?://};

my $ua = HTTP::Tiny->new(timeout => 10, keep_alive => 1,
    agent => 'sluice-bench-llviewer/1');

my %st = (url => $o{url}, reloads => 0, parts => 0, bytes => 0,
    errors => 0, statuses => {}, failed => []);
%st = (%st, notparked => 0, nonew => 0, late => 0, unseen => 0)
    if $o{watch};
my (%fetched, %appeared, %grew, %psize, @pending, @samples);
my ($watcher, $wpid) = $o{watch} ? watch($o{watch}) : ();

sub get {
    my ($url) = @_;

    my $r = $ua->get($url);
    if (!$r->{success}) {
        $st{errors}++;
        $st{statuses}{$r->{status}}++;
        push @{$st{failed}}, "$r->{status} $url" if @{$st{failed}} < 5;
        return undef;
    }
    $st{bytes} += length $r->{content};
    return $r->{content};
}

# the playlist: [ part URIs ], the next part's msn and index, the hint URI
sub parse {
    my ($pl) = @_;
    my ($seq) = $pl =~ /^#EXT-X-MEDIA-SEQUENCE:(\d+)/m;
    my (@parts, $segs, $after);

    $segs = 0;
    $after = 0;
    for my $l (split /\n/, $pl) {
        if ($l =~ /^#EXT-X-PART:.*URI="([^"]+)"/) {
            push @parts, $1;
            $after++;
        } elsif ($l =~ /^#EXTINF:/) {
            $segs++;
            $after = 0;
        }
    }
    my ($hint) = $pl =~ /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/m;
    return (\@parts, ($seq // 0) + $segs, $after, $hint);
}

# a child reading inotify events of DIR: "time name" lines on a pipe
sub watch {
    my ($dir) = @_;

    require 'syscall.ph';
    my $fd = syscall(&SYS_inotify_init1, 0);
    die "inotify_init1: $!\n" if $fd < 0;
    # IN_MODIFY 0x2 | IN_CLOSE_WRITE 0x8 | IN_MOVED_TO 0x80
    my $wd = syscall(&SYS_inotify_add_watch, $fd, $dir, 0x8a);
    die "inotify_add_watch $dir: $!\n" if $wd < 0;

    pipe(my $r, my $w) or die "pipe: $!\n";
    my $pid = fork() // die "fork: $!\n";
    if ($pid == 0) {
        close $r;
        open my $in, '<&=', $fd or POSIX::_exit(1);
        $w->autoflush(1);
        my $buf;
        while (sysread($in, $buf, 65536) > 0) {
            my $now = time;
            while (length $buf >= 16) {
                my ($len) = unpack 'x12 L', $buf;
                my $name = unpack 'Z*', substr($buf, 16, $len);
                substr($buf, 0, 16 + $len) = '';
                next unless $name =~ /^\d+\.m4[ps]$/;
                # a parts file: its size now (what it held by then)
                my $size = $name =~ /m4p$/ ? (-s "$dir/$name") // 0 : 0;
                printf $w "%.6f %s %d\n", $now, $name, $size;
            }
        }
        POSIX::_exit(0);
    }
    POSIX::close($fd);
    close $w;
    $r->blocking(0);
    return ($r, $pid);
}

# the appearances the child reported so far
sub drain {
    return unless $watcher;
    while (defined(my $l = <$watcher>)) {
        my ($t, $name, $size) = $l =~ /^([\d.]+) (\S+) (\d+)$/ or next;
        if ($name =~ /m4p$/) {
            push @{$grew{$name}}, [ $t, $size ];
        } else {
            $appeared{$name} //= $t;
        }
    }
}

# "Fragments(video=T,format=m3u8-cmaf,part=N).m4s" -> (T, N)
sub part_id {
    my ($uri) = @_;
    my ($t, $n) = ($uri // '') =~ /=(\d+),[^)]*part=(\d+)\)/ or return ();
    return ($t, $n);
}

# when part N of fragment T was written (undef: not seen, or a part
# before it not fetched), by its parts file or its fragment file
sub written {
    my ($t, $n) = @_;
    my ($end, $when) = (0, undef);

    for my $k (0 .. $n) {
        return undef unless defined $psize{"$t.$k"};
        $end += $psize{"$t.$k"};
    }
    for my $g (@{$grew{"$t.m4p"} // []}) {
        if ($g->[1] >= $end) {
            $when = $g->[0];
            last;
        }
    }
    my $m4s = $appeared{"$t.m4s"};
    $when = $m4s if defined $m4s && (!defined $when || $m4s < $when);
    return $when;
}

my $end = time + $o{duration};
my $pl = get($o{url}) // die "GET $o{url} failed\n";
my ($parts, $msn, $part, $hint) = parse($pl);

# start at the live edge: only the parts of the segment in progress
my @old = @$parts;
splice @old, @old - $part if $part;
$fetched{$_} = 1 for @old;

while (time < $end) {
    for my $p (@$parts) {
        next if $fetched{$p}++;
        my $b = get(resolve($o{url}, $p));
        next unless defined $b;
        $st{parts}++;
        my ($t, $n) = part_id($p);
        $psize{"$t.$n"} = length $b if defined $t;
    }

    my $sep = $o{url} =~ /\?/ ? '&' : '?';
    my $had = @$parts ? $parts->[-1] : '';
    my $t0 = time;
    my $r = get("$o{url}${sep}_HLS_msn=$msn&_HLS_part=$part");
    my $t2 = time;
    $st{reloads}++;
    unless (defined $r) {
        ($parts, $msn, $part, $hint) = parse(get($o{url}) // last);
        next;
    }

    # the newest part of the answer, when it is new: judged at the end,
    # when this viewer has fetched it and the parts before it
    my $newest = (parse($r))[0][-1];
    my @id = part_id($newest);
    my $new = @id && $newest ne $had;
    $st{nonew}++ if $watcher && !$new;
    push @pending, [ @id, $t0, $t2, $newest ] if $watcher && $new;
    drain();

    ($parts, $msn, $part, $hint) = parse($r);
}

if ($watcher) {
    # the writes of the last answers' parts, seen by now
    IO::Select->new($watcher)->can_read(0.2);
    drain();

    for my $p (@pending) {
        my ($t, $n, $t0, $t2, $uri) = @$p;
        my $t1 = written($t, $n);
        if (!defined $t1) {
            $st{unseen}++;
        } elsif ($t1 < $t0) {
            $st{notparked}++;
        } elsif ($t1 > $t2) {
            $st{late}++;
        } else {
            push @samples, [ 1000 * ($t2 - $t1), "$t.$n", $t0, $t1, $t2 ];
        }
    }
}

if ($watcher) {
    kill 'TERM', $wpid;
    waitpid($wpid, 0);
    my @s = sort { $a <=> $b } map { $_->[0] } @samples;
    my $pc = sub {
        my ($p) = @_;
        return @s ? 0 + sprintf('%.2f', $s[POSIX::ceil($p / 100 * @s) - 1])
                  : undef;
    };
    $st{answered} = { samples => scalar @s, median => $pc->(50),
        p90 => $pc->(90), p99 => $pc->(99), max => $pc->(100) };
    if ($o{out}) {
        open my $f, '>', $o{out} or die "$o{out}: $!\n";
        printf $f "%.3f %s %.6f %.6f %.6f\n", @$_ for @samples;
        close $f;
    }
}

print JSON::PP->new->canonical->encode(\%st), "\n";
exit($st{parts} > 0 && $st{errors} == 0 ? 0 : 1);
