package Sluice::GStreamer;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::GStreamer - play a URL with GStreamer's gst-launch-1.0 into
fakesinks that print every buffer (t/051, t/072)

=head1 SYNOPSIS

    Sluice::GStreamer::elements($t);     # skip_all unless installed
    my $r = Sluice::GStreamer::play('playbin3', $url, 12);
    ok(!@{$r->{errors}} && $r->{video_span} >= 4);

=head1 FUNCTIONS

C<missing()>: what is missing of gst-launch-1.0, gst-inspect-1.0 and the
elements playbin, playbin3, hlsdemux2, dashdemux2, mssdemux, avdec_h264,
avdec_aac, fakesink and souphttpsrc ('' when nothing is).

C<elements($t)>: skips the whole test file (C<< $t->skip_all >>) when
C<missing()> says something.

C<play_many(\@cases, %o)>: plays each case C<[$bin, $uri, $seconds]>
as C<play> does, C<jobs> (default 3, 1 with a sanitizer build) at a
time: gst-launch processes are independent of each other.  Returns the results in the order of
@cases.

C<play($bin, $uri, $seconds)>: runs C<gst-launch-1.0 -v $bin uri=$uri>
with video and audio fakesinks (sync=true) for $seconds (or until it
ends by itself: EOS of a static presentation), then interrupts it.
Returns { errors => [ERROR lines], video_span, audio_span (seconds
between the lowest and highest buffer pts), video_n, audio_n (buffers),
width, height (decoded video caps), eos (1 when it ended by itself),
tail (the last lines of output without the buffer lines) }.

=cut

use strict;
use warnings;

use IPC::Run ();
use Time::HiRes qw(time sleep);

sub missing {
    for my $p ('gst-launch-1.0', 'gst-inspect-1.0') {
        return $p unless grep { -x "$_/$p" } split /:/, $ENV{PATH} // '';
    }

    for my $e (qw(playbin playbin3 hlsdemux2 dashdemux2 mssdemux avdec_h264
                  avdec_aac fakesink souphttpsrc))
    {
        my $out = '';
        IPC::Run::run([ 'gst-inspect-1.0', $e ], '<', \undef, '>&', \$out)
            or return "GStreamer element $e";
    }

    return '';
}

sub elements {
    my ($t) = @_;

    my $m = missing();
    $t->skip_all("$m is missing") if $m;
}

# plays $uri for $seconds with playbin or playbin3, then interrupts
# gst-launch
sub play {
    my $p = _start(@_);

    sleep 0.1 while _running($p);
    return _finish($p);
}

sub play_many {
    my ($cases, %o) = @_;

    # one at a time against a sanitizer build: each player needs its
    # share of a slow nginx to reach its 4 s (t/051 under ASan)
    my $jobs = $o{jobs} || ($ENV{SLUICE_SANITIZE} ? 1 : 3);
    my @todo = 0 .. $#$cases;
    my (%running, @results);

    while (@todo || %running) {
        while (@todo && keys %running < $jobs) {
            my $i = shift @todo;
            $running{$i} = _start(@{$cases->[$i]});
        }
        sleep 0.1;
        for my $i (keys %running) {
            next if _running($running{$i});
            $results[$i] = _finish(delete $running{$i});
        }
    }

    return @results;
}

sub _start {
    my ($bin, $uri, $seconds) = @_;

    my $p = { out => '', end => time() + $seconds };
    my @cmd = ('gst-launch-1.0', '-v', $bin, "uri=$uri",
        'video-sink=fakesink name=vsink sync=true silent=false',
        'audio-sink=fakesink name=asink sync=true silent=false');
    $p->{h} = IPC::Run::start(\@cmd, '<', \undef, '>&', \$p->{out});
    return $p;
}

# true while gst-launch runs and its time is not over
sub _running {
    my ($p) = @_;

    return 0 unless $p->{h}->pumpable();
    # (IPC::Run croaks when gst-launch exited since pumpable())
    eval { $p->{h}->pump_nb() };
    return time() < $p->{end} && $p->{h}->pumpable();
}

sub _finish {
    my ($p) = @_;

    my $h = $p->{h};

    if ($h->pumpable()) {
        $h->signal('INT');
        my $deadline = time() + 10;
        while ($h->pumpable() && time() < $deadline) {
            eval { $h->pump_nb() };
            sleep 0.1;
        }
        $h->kill_kill(grace => 1) if $h->pumpable();
    }
    eval { $h->finish() };

    my $out = $p->{out};
    my %r = (errors => [], video_span => 0, audio_span => 0, video_n => 0,
             audio_n => 0, width => 0, height => 0,
             eos => $out =~ /^Got EOS from element/m ? 1 : 0);
    my %pts;

    for my $l (split /\n/, $out) {
        push @{$r{errors}}, $l if $l =~ /^ERROR\b/;
        if ($l =~ /(vsink|asink): last-message = chain .*pts: (\d+):(\d+):([\d.]+)/) {
            my $s = $2 * 3600 + $3 * 60 + $4;
            push @{$pts{$1}}, $s;
        }
        if ($l =~ /vsink: last-message = event .*caps.*video\/x-raw.*width\\=\\\(int\\\)(\d+).*height\\=\\\(int\\\)(\d+)/) {
            ($r{width}, $r{height}) = ($1, $2);
        }
    }

    for my $k (qw(vsink asink)) {
        my @p = @{$pts{$k} // []};
        next unless @p;
        my ($min, $max) = ($p[0], $p[0]);
        for (@p) { $min = $_ if $_ < $min; $max = $_ if $_ > $max; }
        my $n = $k eq 'vsink' ? 'video' : 'audio';
        $r{"${n}_span"} = $max - $min;
        $r{"${n}_n"} = scalar @p;
    }

    my @lines = grep { !/last-message/ } split /\n/, $out;
    $r{tail} = join("\n", @lines[($#lines > 30 ? $#lines - 30 : 0) .. $#lines]);

    return \%r;
}

1;
