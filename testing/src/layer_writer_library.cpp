// layer_writer for the layer of the library's own API schema (mtproto::api, api::layer).
#include "mtproto/api/Chat.h"
#include "mtproto/api/ChatPhoto.h"
#include "mtproto/api/Config.h"
#include "mtproto/api/DcOption.h"
#include "mtproto/api/Document.h"
#include "mtproto/api/DocumentAttribute.h"
#include "mtproto/api/Message.h"
#include "mtproto/api/MessageAction.h"
#include "mtproto/api/MessageFwdHeader.h"
#include "mtproto/api/MessageMedia.h"
#include "mtproto/api/MessageReplies.h"
#include "mtproto/api/MessageReplyHeader.h"
#include "mtproto/api/Peer.h"
#include "mtproto/api/Photo.h"
#include "mtproto/api/PhotoSize.h"
#include "mtproto/api/User.h"
#include "mtproto/api/UserProfilePhoto.h"
#include "mtproto/api/UserStatus.h"
#include "mtproto/api/auth/Authorization.h"
#include "mtproto/api/contacts/ResolvedPeer.h"
#include "mtproto/api/messages/Chats.h"
#include "mtproto/api/messages/DiscussionMessage.h"
#include "mtproto/api/messages/Messages.h"
#include "layer_writer_impl.h"

namespace mtproto::testdc {
namespace {

namespace ns = ::mtproto::api;

struct types_library {
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
  using messageActionTopicCreate = ns::messageActionTopicCreate;
  using MessageMedia = ns::MessageMedia;
  using messageMediaPhoto = ns::messageMediaPhoto;
  using photo = ns::photo;
  using photoSize = ns::photoSize;
  using chats = ns::messages::chats;
  using discussionMessage = ns::messages::discussionMessage;
};

}  // namespace

const layer_writer& layer_writer_library() noexcept {
  static const detail::layer_writer_impl<types_library, layer_library> writer;
  return writer;
}

}  // namespace mtproto::testdc
