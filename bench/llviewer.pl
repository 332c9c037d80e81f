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
# --watch DIR (the playlist's track directory, where Sluice stores the
# parts as {fragment time}.{index}.m4p): also measures, for each blocking
# reload that had to wait, the time from the file of the newest part of
# the answer appearing (or its fragment's, {fragment time}.m4s, if that
# came first) (inotify IN_MOVED_TO or IN_CLOSE_WRITE, seen by a child
# process that timestamps each event as it reads it) to the playlist
# answering the reload (the response read, HTTP::Tiny, one keep-alive
# connection).  The newest part, not the one asked for: a reload for the
# preload hint's part can be answered by a later one (the hint named a
# part of a fragment that then closed without it; RFC 8216bis 6.2.5.2).
# Reloads sent after that file was seen count as "notparked", those
# without a new part as "nonew", those answered before the child saw the
# file as "late" (the watcher woke after nginx had answered: a delay
# under the watcher's own wake-up time, left out, which makes the
# figures higher, not lower), those whose file it never saw as
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
my (%fetched, %appeared, @samples);
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
    # IN_CLOSE_WRITE 0x8 | IN_MOVED_TO 0x80
    my $wd = syscall(&SYS_inotify_add_watch, $fd, $dir, 0x88);
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
                printf $w "%.6f %s\n", $now, $name
                    if $name =~ /^\d+(\.\d+)?\.m4[ps]$/;
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
        my ($t, $name) = $l =~ /^([\d.]+) (\S+)$/ or next;
        $appeared{$name} //= $t;
    }
}

# "Fragments(video=T,format=m3u8-cmaf,part=N).m4s" -> ("T.N.m4p", "T.m4s")
sub part_files {
    my ($uri) = @_;
    my ($t, $n) = ($uri // '') =~ /=(\d+),[^)]*part=(\d+)\)/ or return ();
    return ("$t.$n.m4p", "$t.m4s");
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
        $st{parts}++ if defined $b;
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

    # the newest part of the answer, when it is new
    my @want = part_files((parse($r))[0][-1]);
    my $new = @want && (parse($r))[0][-1] ne $had;
    $st{nonew}++ if $watcher && !$new;

    if ($watcher && $new) {
        drain();
        # the watcher may not have woken yet: give it 100 ms
        if (!grep { defined } @appeared{@want}) {
            IO::Select->new($watcher)->can_read(0.1);
            drain();
        }
        my ($t1) = sort { $a <=> $b } grep { defined } @appeared{@want};
        my ($first) = grep { defined $appeared{$_} && $appeared{$_} == $t1 }
            @want if defined $t1;
        if (!defined $t1) {
            $st{unseen}++;
        } elsif ($t1 < $t0) {
            $st{notparked}++;
        } elsif ($t1 > $t2) {
            $st{late}++;
        } else {
            push @samples, [ 1000 * ($t2 - $t1), $first, $t0, $t1, $t2 ];
        }
    }

    ($parts, $msn, $part, $hint) = parse($r);
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
