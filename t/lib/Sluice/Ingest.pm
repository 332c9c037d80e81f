package Sluice::Ingest;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::Ingest - media fixtures, ffmpeg RTMP publishers and the stored
tracks of live events, for tests

=head1 SYNOPSIS

    my $t = Test::Sluice->new();        # has the methods below
    ...
    my @ladder = Sluice::Ingest::fixture('ladder', duration => 8);
    my $before = $t->event_dirs();
    my $pub = $t->publish(input => [@ladder],
        url => [ map { "$rtmp/live/$token/s$_" } 1 .. 3 ]);
    $t->wait_publisher_exit($pub, 30);

    my $gen = $t->new_event_dir($before);
    my $video = $t->track($gen, 'video');    # { dir, type, width, times }
    my ($frames, $err) = $t->track_frames($video);

=head1 DESCRIPTION

A role of L<Test::Sluice>: the methods are methods of every test object.
They use only the harness's public methods (C<port>, C<testdir>,
C<read_file>, C<wait_for>, C<on_cleanup>).  The publishers a test starts
are stopped at its end, before nginx.

=head1 METHODS

=over

=item publish(%opts)

starts an ffmpeg RTMP publisher in the background (IPC::Run).  Options:
C<input> (a file path or an arrayref of paths: one output per input),
C<url> (a full RTMP URL, or an arrayref, one per input; default
C<rtmp://127.0.0.1:PORT_1935/live/stream>), C<path> (instead of url: the
part after the port), C<realtime> (default 1: ffmpeg -re), C<loop>
(default 0: -stream_loop -1 when true), C<lavfi> (encode a live test
pattern instead of copying a file: hashref of fixture options),
C<args> (extra ffmpeg arguments before the outputs), C<input_args> (an
arrayref of arrayrefs: options of each input, before its C<-i>, such as
C<-itsoffset 20>).  Returns a handle; its
log goes to C<TESTDIR/ffmpeg-N.log>.

=item publisher_running($h), stop_publisher($h), wait_publisher_exit($h, $timeout)

C<publisher_running> is true while ffmpeg runs (it pumps IPC::Run, so an
exited ffmpeg is noticed).  C<stop_publisher> asks ffmpeg to quit
(SIGINT), then kills it after 5 s, and returns its wait status (as C<$?>:
0 for success).  C<wait_publisher_exit> waits until ffmpeg ends by itself
(input finished; default 60 s) and returns that status, or undef after
the timeout (then ffmpeg is stopped).  C<publisher_log($h)> returns its
output.  C<stop_publishers> stops them all.

=item event_dirs(), new_event_dir($before)

C<event_dirs> returns { path => 1 } of the live event directories under
F<TESTDIR/data/live>; C<new_event_dir($before)> the newest generation
directory of the one event directory that is not in $before (undef
unless exactly one is new).

=item tracks($gen), track($gen, $type)

the track directories of an event generation directory (those with an
F<init0.mp4>), in name order, as hashrefs: C<dir>, C<type> (C<video>,
C<audio>: ffprobe's codec_type of the init segment), C<width>, C<times>
(the fragments' times, from their F<TIME.m4s> names, ascending).
C<track> returns the first of that type, or C<< { times => [] } >>.

=item track_frames($track, $stream)

joins the track's init segment and fragments (C<dir> and C<times>; or
takes C<< $track->{file} >> as it is) and counts the frames ffprobe
decodes from its stream C<$stream:0> (default C<a> for an audio track,
C<v> otherwise).  Returns
C<($frames, $stderr)>; $frames is undef when ffprobe gave no count.

=item wait_track_end($gen, $seconds, %o)

waits until the tracks of the generation directory $gen (C<tracks>: how
many, default 2) each hold a fragment that starts $seconds (less half a
second) or more after their first fragment: the last fragment of an
input of known length, written after the publisher left (the session's
end flushes it through the thread pool).  An input of D s with a
keyframe every G s ends with a fragment starting at D - G.  Options:
C<since> (a C<live_marks> hashref taken before the session: the first
fragment is the first newer than the track's mark), C<from_zero> (count
from time 0 of the timeline instead: a ring may have dropped the first
fragments), C<timeout> (default 15 s), C<what>.  Returns the tracks (as
C<tracks>), or undef after the timeout.

=item live_marks(), wait_live_fragments($marks, $n, %o)

C<live_marks> returns { track directory => time of its newest fragment }
of every track of every live event under F<TESTDIR/data/live>.
C<wait_live_fragments> waits until some track has at least $n fragments
newer than its mark (a track not in $marks counts all its fragments):
the ingest went on by $n fragments.  Options: C<timeout> (default 30 s),
C<what>.  Returns that number, or undef.  For the negative checks ("no
more records after ...", "one log line per burst"): time passes by
fragments, not by a fixed sleep.

=back

=head1 FUNCTIONS

=over

=item fixture($name, %opts)

returns the path of a media file made with ffmpeg (lavfi testsrc2 + sine,
libx264 with a keyframe every C<gop> seconds exactly, AAC), cached in
F<build/fixtures> across tests (by its options).  Names:

C<av>: one rendition.  Options: C<duration> (s, default 10), C<size>
(default 640x360), C<fps> (30), C<vbitrate> (800k), C<abitrate> (128k),
C<gop> (2), C<bframes> (2), C<audio> (1), C<video> (1), C<rate> (audio
sample rate, 48000), C<format> (flv; or mp4, ts), C<freq> (sine
frequency, 440), C<profile> (x264 profile, default main), C<vcodec>
(C<libx265>: H.265 instead, tagged hvc1, x265's ultrafast preset, the
same keyframes and B-frames; FLV cannot hold it, use mp4 or ts).

C<ladder>: a list of three C<av> files (1280x720 2500k, 960x540 1200k,
640x360 600k) with the same options otherwise; returns the list.

=item ffprobe_json($file_or_url, @args)

runs ffprobe -of json -show_streams -show_format (plus @args), returns the
decoded hashref, or undef.

=back

=cut

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use Digest::MD5 qw(md5_hex);
use Exporter qw(import);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Spec;
use IPC::Run ();
use JSON::PP ();
use Time::HiRes qw(sleep time);

our @EXPORT_OK = qw(fixture ffprobe_json);

my $ROOT = abs_path(File::Spec->catdir(dirname(__FILE__), '..', '..', '..'));
my $FFMPEG_SEQ = 0;

# --- media fixtures ----------------------------------------------------

my %AV_DEFAULTS = (
    duration => 10, size => '640x360', fps => 30, vbitrate => '800k',
    abitrate => '128k', gop => 2, bframes => 2, audio => 1, video => 1,
    rate => 48000, format => 'flv', freq => 440, profile => 'main',
);

my @LADDER = (
    { size => '1280x720', vbitrate => '2500k', freq => 440 },
    { size => '960x540', vbitrate => '1200k', freq => 440 },
    { size => '640x360', vbitrate => '600k', freq => 440 },
);

sub fixture {
    my ($name, %o) = @_;

    if ($name eq 'av') {
        return _fixture_av(%o);
    }

    if ($name eq 'ladder') {
        my @files = map { _fixture_av(%o, %$_) } @LADDER;
        return wantarray ? @files : \@files;
    }

    croak "unknown fixture $name";
}

sub _av_encode_args {
    my (%o) = @_;

    my $gop = int($o{fps} * $o{gop} + 0.5);
    my (@in, @out);

    if ($o{video} && ($o{vcodec} // '') eq 'libx265') {
        push @in, '-f', 'lavfi', '-i',
            "testsrc2=size=$o{size}:rate=$o{fps}";
        push @out, '-c:v', 'libx265', '-tag:v', 'hvc1',
            '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
            '-b:v', $o{vbitrate}, '-maxrate', $o{vbitrate},
            '-bufsize', $o{vbitrate}, '-x265-params',
            "keyint=$gop:min-keyint=$gop:scenecut=0:bframes=$o{bframes}"
            . ':open-gop=0:log-level=1';

    } elsif ($o{video}) {
        push @in, '-f', 'lavfi', '-i',
            "testsrc2=size=$o{size}:rate=$o{fps}";
        push @out, '-c:v', 'libx264', '-preset', 'veryfast',
            '-profile:v', $o{profile}, '-pix_fmt', 'yuv420p',
            '-b:v', $o{vbitrate}, '-maxrate', $o{vbitrate},
            '-bufsize', $o{vbitrate},
            '-g', $gop, '-keyint_min', $gop, '-sc_threshold', 0,
            '-bf', $o{bframes}, '-x264-params', 'open_gop=0';
    }
    if ($o{audio}) {
        push @in, '-f', 'lavfi', '-i',
            "sine=frequency=$o{freq}:sample_rate=$o{rate}";
        push @out, '-c:a', 'aac', '-b:a', $o{abitrate}, '-ac', 2,
            '-ar', $o{rate};
    }
    return (\@in, \@out);
}

sub _fixture_av {
    my (%o) = @_;

    %o = (%AV_DEFAULTS, %o);
    croak 'fixture needs audio or video' unless $o{audio} || $o{video};

    my $key = md5_hex(join ',', map { "$_=$o{$_}" } sort keys %o);
    my $dir = "$ROOT/build/fixtures";
    make_path($dir);
    my $ext = $o{format} eq 'mp4' ? 'mp4' : $o{format} eq 'ts' ? 'ts' : 'flv';
    my $file = "$dir/av-" . substr($key, 0, 12) . ".$ext";
    return $file if -s $file;

    my ($in, $out) = _av_encode_args(%o);
    my $tmp = "$file.$$.tmp";
    my @cmd = ('ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error',
        '-y', @$in, '-t', $o{duration}, @$out,
        ($o{format} eq 'mp4' ? ('-movflags', '+faststart') : ()),
        '-f', ($o{format} eq 'ts' ? 'mpegts' : $o{format}), $tmp);

    my $log = '';
    unless (IPC::Run::run(\@cmd, '<', \undef, '>&', \$log)) {
        unlink $tmp;
        croak "ffmpeg fixture failed: $log";
    }
    rename $tmp, $file or croak "rename $tmp: $!";
    return $file;
}

sub ffprobe_json {
    my ($what, @args) = @_;

    my ($out, $err) = ('', '');
    IPC::Run::run(['ffprobe', '-v', 'error', '-of', 'json', '-show_streams',
        '-show_format', @args, $what], '<', \undef, '>', \$out, '2>', \$err,
        IPC::Run::timeout(60))
        or return undef;
    return eval { JSON::PP->new->decode($out) };
}

# --- RTMP publishers ---------------------------------------------------

sub publish {
    my ($self, %o) = @_;

    my @inputs = ref $o{input} ? @{$o{input}} : ($o{input} // ());
    my $default = 'rtmp://127.0.0.1:' . $self->port(1935) . '/'
        . ($o{path} // 'live/stream');
    my @urls = ref $o{url} ? @{$o{url}} : ($o{url} // $default);
    my $realtime = $o{realtime} // 1;
    my $muxer = $o{muxer} // 'flv';

    my @cmd = ('ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'warning');

    if ($o{lavfi}) {
        my %a = (%AV_DEFAULTS, %{$o{lavfi}});
        my ($in, $out) = _av_encode_args(%a);
        push @cmd, '-re', @$in, ($a{duration} ? ('-t', $a{duration}) : ()),
            @{$o{args} // []}, @$out, '-f', $muxer, $urls[0];

    } else {
        croak 'publish: input expected' unless @inputs;
        croak 'publish: as many urls as inputs expected'
            unless @urls == @inputs || @urls == 1 && @inputs == 1;

        for my $i (0 .. $#inputs) {
            push @cmd, ($realtime ? ('-re') : ()),
                ($o{loop} ? ('-stream_loop', '-1') : ()),
                @{($o{input_args} // [])->[$i] // []}, '-i', $inputs[$i];
        }
        push @cmd, @{$o{args} // []};
        for my $i (0 .. $#inputs) {
            push @cmd, '-map', "$i:v?", '-map', "$i:a?", '-c', 'copy',
                '-f', $muxer, $urls[$i];
        }
    }

    my $n = ++$FFMPEG_SEQ;
    my $log = $self->testdir . "/ffmpeg-$n.log";
    open my $fh, '>', $log or croak "$log: $!";
    print $fh join(' ', @cmd), "\n";
    close $fh;

    unless ($self->{sluice_ingest_cleanup}++) {
        $self->on_cleanup(sub { $self->stop_publishers() });
    }

    my $h = IPC::Run::start(\@cmd, '<', \undef, '>>', $log, '2>>', $log);
    my $p = { handle => $h, log => $log, cmd => \@cmd, n => $n };
    push @{$self->{sluice_publishers}}, $p;
    return $p;
}

sub publisher_running {
    my ($self, $p) = @_;

    my $h = $p->{handle} or return 0;

    # IPC::Run notices an exited child only when pumped
    eval { $h->pump_nb() };
    return $h->pumpable() ? 1 : 0;
}

sub wait_publisher_exit {
    my ($self, $p, $timeout) = @_;

    my $done = $self->wait_for(sub { !$self->publisher_running($p) },
        timeout => $timeout // 60);
    my $result = $self->stop_publisher($p);
    return $done ? $result // 0 : undef;
}

sub publisher_log {
    my ($self, $p) = @_;

    return $self->read_file($p->{log}) // '';
}

sub stop_publisher {
    my ($self, $p) = @_;

    my $h = $p->{handle};
    return unless $h;

    if ($h->pumpable()) {
        $h->signal('INT');
        my $deadline = time() + 5;
        while ($h->pumpable() && time() < $deadline) {
            # IPC::Run croaks "process ended prematurely" when ffmpeg
            # exits between pumpable() and pump_nb()
            eval { $h->pump_nb() };
            sleep 0.1;
        }
        $h->kill_kill(grace => 1) if $h->pumpable();
    }
    eval { $h->finish() };
    $p->{result} = $h->full_result(0);
    $p->{handle} = undef;
    return $p->{result};
}

sub stop_publishers {
    my ($self) = @_;

    $self->stop_publisher($_) for @{$self->{sluice_publishers} // []};
    $self->{sluice_publishers} = [];
}

# --- stored tracks -----------------------------------------------------

sub event_dirs {
    my ($self) = @_;

    my $d = $self->testdir;
    return { map { $_ => 1 } glob("$d/data/live/*") };
}

sub new_event_dir {
    my ($self, $before) = @_;

    my $d = $self->testdir;
    my @new = grep { !$before->{$_} } glob("$d/data/live/*");
    return unless @new == 1;
    my @gen = sort { ($b =~ m{(\d+)$})[0] <=> ($a =~ m{(\d+)$})[0] }
        glob("$new[0]/*");
    return $gen[0];
}

sub tracks {
    my ($self, $gen) = @_;
    return () unless $gen;

    my @tracks;

    for my $d (sort glob("$gen/*")) {
        next unless -f "$d/init0.mp4";

        my $p = ffprobe_json("$d/init0.mp4") // {};
        my $s = $p->{streams}[0] // {};
        my @times = sort { $a <=> $b }
            map { /(\d+)\.m4s$/ ? $1 : () } glob("$d/*.m4s");

        push @tracks, { dir => $d, type => $s->{codec_type} // '',
            width => $s->{width} // 0, times => \@times };
    }

    return @tracks;
}

sub track {
    my ($self, $gen, $type) = @_;

    my ($tr) = grep { $_->{type} eq $type } $self->tracks($gen);
    return $tr // { times => [] };
}

sub track_frames {
    my ($self, $tr, $stream) = @_;

    my $file = $tr->{file};

    unless ($file) {
        return (undef, 'no track') unless $tr->{dir};
        $file = $self->testdir . '/joined.mp4';
        open my $out, '>:raw', $file or croak "$file: $!";
        print {$out} $self->read_file($_) // '' for "$tr->{dir}/init0.mp4",
            map { "$tr->{dir}/$_.m4s" } @{$tr->{times}};
        close $out;
    }

    my ($o, $e) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-count_frames',
        '-select_streams',
        ($stream // (($tr->{type} // '') eq 'audio' ? 'a' : 'v')) . ':0',
        '-show_entries',
        'stream=nb_read_frames', '-of', 'csv=p=0', $file ],
        '<', \undef, '>', \$o, '2>', \$e, IPC::Run::timeout(60));

    my ($n) = $o =~ /(\d+)/;
    return ($n, $e);
}

sub wait_track_end {
    my ($self, $gen, $seconds, %o) = @_;

    my $want = $o{tracks} // 2;
    my $since = $o{since} // {};
    my %scale;

    return $self->wait_for(sub {
        return unless $gen;
        my @tracks;

        for my $d (sort glob("$gen/*")) {
            next unless -f "$d/init0.mp4";
            my @times = sort { $a <=> $b }
                map { /(\d+)\.m4s$/ ? $1 : () } glob("$d/*.m4s");
            my $m = $since->{$d} // -1;
            my @new = grep { $_ > $m } @times;
            return unless @new;

            # the track's timescale: the time base of its init segment
            unless ($scale{$d}) {
                my $s = (ffprobe_json("$d/init0.mp4") // {})->{streams}[0]
                    // {};
                ($scale{$d}) = ($s->{time_base} // '') =~ m{^1/(\d+)$};
                return unless $scale{$d};
                $scale{$d} = { scale => $scale{$d},
                               type => $s->{codec_type} // '',
                               width => $s->{width} // 0 };
            }
            my $sc = $scale{$d};
            my $from = $o{from_zero} ? 0 : $new[0];
            return if ($new[-1] - $from) / $sc->{scale} < $seconds - 0.5;

            push @tracks, { dir => $d, type => $sc->{type},
                            width => $sc->{width}, times => \@times };
        }

        return @tracks >= $want ? \@tracks : undef;
    }, timeout => $o{timeout} // 15, interval => 0.2,
       what => $o{what} // "the last fragment of $want tracks"
                          . " (${seconds} s in)");
}

sub _live_fragments {
    my ($self) = @_;

    my %f;
    for (glob($self->testdir . '/data/live/*/*/*/*.m4s')) {
        push @{$f{$1}}, $2 if m{^(.*)/(\d+)\.m4s$};
    }
    return \%f;
}

sub live_marks {
    my ($self) = @_;

    my $f = $self->_live_fragments();
    return { map { my $d = $_; ($d => (sort { $b <=> $a } @{$f->{$d}})[0]) }
             keys %$f };
}

sub wait_live_fragments {
    my ($self, $marks, $n, %o) = @_;

    return $self->wait_for(sub {
        my $f = $self->_live_fragments();
        my $best = 0;
        for my $d (keys %$f) {
            my $m = $marks->{$d} // -1;
            my $k = grep { $_ > $m } @{$f->{$d}};
            $best = $k if $k > $best;
        }
        return $best >= $n ? $best : undef;
    }, timeout => $o{timeout} // 30, interval => 0.2,
       what => $o{what} // "$n more live fragments");
}

1;
