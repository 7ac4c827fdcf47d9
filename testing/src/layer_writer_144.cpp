// layer_writer for API layer 144 (Telethon 1.25).
#include "mtproto/testdc/l144/Chat.h"
#include "mtproto/testdc/l144/ChatPhoto.h"
#include "mtproto/testdc/l144/Config.h"
#include "mtproto/testdc/l144/DcOption.h"
#include "mtproto/testdc/l144/Document.h"
#include "mtproto/testdc/l144/DocumentAttribute.h"
#include "mtproto/testdc/l144/Message.h"
#include "mtproto/testdc/l144/MessageAction.h"
#include "mtproto/testdc/l144/MessageFwdHeader.h"
#include "mtproto/testdc/l144/MessageMedia.h"
#include "mtproto/testdc/l144/MessageReplies.h"
#include "mtproto/testdc/l144/MessageReplyHeader.h"
#include "mtproto/testdc/l144/Peer.h"
#include "mtproto/testdc/l144/Photo.h"
#include "mtproto/testdc/l144/PhotoSize.h"
#include "mtproto/testdc/l144/User.h"
#include "mtproto/testdc/l144/UserProfilePhoto.h"
#include "mtproto/testdc/l144/UserStatus.h"
#include "mtproto/testdc/l144/auth/Authorization.h"
#include "mtproto/testdc/l144/contacts/ResolvedPeer.h"
#include "mtproto/testdc/l144/messages/Chats.h"
#include "mtproto/testdc/l144/messages/DiscussionMessage.h"
#include "mtproto/testdc/l144/messages/Messages.h"
#include "layer_writer_impl.h"

namespace mtproto::testdc {
namespace {

namespace ns = ::mtproto::testdc::l144;

struct types_144 {
  using config = ns::config;
  using dcOption = ns::dcOption;
  using User = ns::User;
  using user = ns::user;
  using userProfilePhotoEmpty = ns::userProfilePhotoEmpty;
  using userStatusEmpty = ns::userStatusEmpty;
  using Peer = ns::Peer;
  using peerChannel = ns::peerChannel;
  using Chat = ns::Chat;
  using channel = ns::channel;
  using chatPhotoEmpty = ns::chatPhotoEmpty;
  using Message = ns::Message;
  using message = ns::message;
  using messageMediaDocument = ns::messageMediaDocument;
  using document = ns::document;
  using documentAttributeFilename = ns::documentAttributeFilename;
  using authorization = ns::auth::authorization;
  using resolvedPeer = ns::contacts::resolvedPeer;
  using channelMessages = ns::messages::channelMessages;
  using messages = ns::messages::messages;
  using peerUser = ns::peerUser;
  using MessageReplyHeader = ns::MessageReplyHeader;
  using messageReplyHeader = ns::messageReplyHeader;
  using messageReplies = ns::messageReplies;
  using messageFwdHeader = ns::messageFwdHeader;
  using messageEmpty = ns::messageEmpty;
  using messageService = ns::messageService;
  using messageActionEmpty = ns::messageActionEmpty;
  using MessageMedia = ns::MessageMedia;
  using messageMediaPhoto = ns::messageMediaPhoto;
  using photo = ns::photo;
  using photoSize = ns::photoSize;
  using chats = ns::messages::chats;
  using discussionMessage = ns::messages::discussionMessage;
};

}  // namespace

const layer_writer& layer_writer_144() noexcept {
  static const detail::layer_writer_impl<types_144, 144> writer;
  return writer;
}

}  // namespace mtproto::testdc
